#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <map>

#include "cli.hpp"

namespace exmapi::cli {

namespace {
std::map<std::string, Command>& registry() {
  static std::map<std::string, Command> commands;
  return commands;
}

void print_help() {
  std::printf("exmapi %s - Microsoft Exchange (MAPI) client tools\n\nUsage: exmapi COMMAND [ARGS...]\n\nCommands:\n",
              exmapi_version_string());
  for (const auto& [name, c] : registry()) std::printf("  %-10s %s\n", name.c_str(), c.summary);
  std::printf("\nRun 'exmapi COMMAND --help' for a command's options.\n");
}
}  // namespace

Registrar::Registrar(const Command& command) { registry().emplace(command.name, command); }

// POSIX streams do not translate bytes, so stdin and stdout are used as they are: reopening them would
// truncate a file the caller redirected stdout to and appends to.
std::string read_stdin() {
  std::string data;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) data.append(buf, n);
  return data;
}

bool write_stdout(const void* data, size_t size) {
  return std::fwrite(data, 1, size, stdout) == size && std::fflush(stdout) == 0;
}

int report_last_error(const char* command) {
  const exmapi_error* e = exmapi_error_last();
  const char* name = exmapi_status_name(e->status);
  std::fprintf(stderr, "exmapi %s: %s", command, e->message && *e->message ? e->message : "failed");
  if (name) std::fprintf(stderr, " [%s]", name);
  std::fprintf(stderr, "\n");
  if (e->status == EXMAPI_E_DECODE || e->status == EXMAPI_E_CHECKSUM) return kExitBadInput;
  return kExitFailure;
}

}  // namespace exmapi::cli

int main(int argc, char** argv) {
  using namespace exmapi::cli;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? kExitUsage : kExitOk;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::printf("exmapi %s\n", exmapi_version_string());
    return kExitOk;
  }
  auto it = registry().find(argv[1]);
  if (it == registry().end()) {
    std::fprintf(stderr, "exmapi: unknown command '%s' (see 'exmapi --help')\n", argv[1]);
    return kExitUsage;
  }
  Args args(argv + 2, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::printf("Usage: %s\n", it->second.usage);
      return kExitOk;
    }
  }
  return it->second.run(args);
}
