#include "launcher/launcher.h"

int main(int argc, char** argv) { return neurolens::cli::runLauncher(argc, argv); }
