-- wrk: POST the EDN keyword :hat, as the inventory example's web ion expects.
wrk.method = "POST"
wrk.body = ":hat"
wrk.headers["Content-Type"] = "application/edn"
