#include "command_registry.h"

int main(int argc, char** argv) { return neurolens::cli::runCli(argc, argv); }
