// The umbrella header: everything an application needs.
#ifndef ACCRETE_ACCRETE_HPP_
#define ACCRETE_ACCRETE_HPP_

#include "accrete/cast.hpp"        // IWYU pragma: export
#include "accrete/connection.hpp"  // IWYU pragma: export
#include "accrete/db.hpp"          // IWYU pragma: export
#include "accrete/edn.hpp"         // IWYU pragma: export
#include "accrete/ion.hpp"         // IWYU pragma: export
#include "accrete/ion_config.hpp"  // IWYU pragma: export
#include "accrete/ionize.hpp"      // IWYU pragma: export
#include "accrete/params.hpp"      // IWYU pragma: export
#include "accrete/pull.hpp"        // IWYU pragma: export
#include "accrete/query.hpp"       // IWYU pragma: export
#include "accrete/status.hpp"      // IWYU pragma: export
#include "accrete/value.hpp"       // IWYU pragma: export
#include "accrete/verify.hpp"      // IWYU pragma: export

#endif  // ACCRETE_ACCRETE_HPP_
