#include "agent/cli/cli.hpp"

int main(int argc, char** argv) { return hangar::agent::cli::main(argc, argv); }
