// `accrete shell DIR`: an interactive prompt over one database. Internal to
// tools/accrete.
#ifndef ACCRETE_TOOLS_ACCRETE_SHELL_HPP_
#define ACCRETE_TOOLS_ACCRETE_SHELL_HPP_

#include <string>
#include <string_view>

#include "accrete/ion.hpp"
#include "accrete/status.hpp"

namespace accrete::tools {

// True when `text` holds complete EDN forms: every bracket closed, no
// string left open. Comments and character literals are skipped.
bool EdnComplete(std::string_view text);

// Runs the shell on stdin until `quit` or end of input. With a terminal,
// line editing and history (readline) and prompts; otherwise it reads
// commands silently, so scripts can pipe them in. Results go to stdout
// pretty-printed, errors and timings to stderr. Non-interactive runs return
// an error when any command failed.
absl::Status RunShell(const std::string& dir, const Registry* registry, bool read_only);

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_ACCRETE_SHELL_HPP_
