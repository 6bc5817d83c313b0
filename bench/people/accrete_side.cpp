#include "accrete_side.hpp"

#include "bench_util.hpp"

namespace accrete::bench::people {

std::unique_ptr<AccretePeople> AccretePeople::Load(const std::string& dir, const PeopleFile& file,
                                                   const PeopleData& data) {
  std::unique_ptr<AccretePeople> side(new AccretePeople(dir, data));
  side->Reopen();
  MustTransact(*side->conn_, file.schema_tx, "people schema");
  side->tempids_ = MustTransact(*side->conn_, file.people_tx, "people").tempids;
  side->db_ = std::make_unique<Db>(side->conn_->db());
  return side;
}

EntityId AccretePeople::Person(int64_t number) const {
  auto it = tempids_.find(Tempid(number));
  if (it == tempids_.end()) Check(absl::NotFoundError(Tempid(number)), "people tempid");
  return it->second;
}

EntityId AccretePeople::Attr(std::string_view ident) const {
  return Check(db_->entid(Value::Keyword(ident)), "attribute id");
}

void AccretePeople::Close() {
  db_.reset();
  conn_.reset();
}

void AccretePeople::Reopen() {
  conn_ = OpenConnection(dir_, Durability::kRelaxed);
  db_ = std::make_unique<Db>(conn_->db());
}

}  // namespace accrete::bench::people
