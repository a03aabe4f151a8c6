// The `exmapi` command line: each subcommand registers itself from its own file.
#pragma once

#include <exmapi/exmapi.h>

#include <string>
#include <vector>

namespace exmapi::cli {

// Exit codes shared by every subcommand.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;   // the operation failed (server, network, auth, I/O)
constexpr int kExitBadInput = 2;  // the input could not be decoded
constexpr int kExitUsage = 64;    // wrong command-line usage

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);  // args exclude the program and subcommand names
  const char* usage;
};

// Registers at static-initialisation time; see the bottom of each command file.
struct Registrar {
  explicit Registrar(const Command& command);
};

// Reads all of standard input (binary-safe).
std::string read_stdin();
// Writes bytes to standard output; false when stdout failed (e.g. a closed pipe or a full disk).
bool write_stdout(const void* data, size_t size);
// Prints "exmapi NAME: message" for the last library error and returns the exit code that fits it.
int report_last_error(const char* command);

}  // namespace exmapi::cli
