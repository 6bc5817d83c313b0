// people_gen: writes the people comparison's data file (people_data.hpp).
//   people_gen OUT.edn [SEED]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "people_data.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: %s OUT.edn [SEED]\n", argv[0]);
    return 2;
  }
  namespace people = accrete::bench::people;
  const uint64_t seed = argc == 3 ? std::strtoull(argv[2], nullptr, 10) : people::kSeed;
  const std::string text = people::ToEdn(people::Generate(seed));
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::perror(argv[1]);
    return 1;
  }
  return 0;
}
