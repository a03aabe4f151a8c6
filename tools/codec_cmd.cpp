// `exmapi codec NAME compress|decompress`: raw streams from stdin to stdout, through the C ABI.
#include <cstdio>
#include <map>
#include <string>

#include "cli.hpp"
#include "codec_cmd.hpp"

namespace exmapi::cli {

namespace {
std::map<std::string, Codec>& codecs() {
  static std::map<std::string, Codec> all;
  return all;
}

int run_codec(const Args& args) {
  if (args.size() != 2 || (args[1] != "compress" && args[1] != "decompress")) {
    std::fprintf(stderr, "usage: exmapi codec NAME compress|decompress <IN >OUT\ncodecs:");
    for (const auto& [name, c] : codecs()) std::fprintf(stderr, " %s (%s)", name.c_str(), c.summary);
    std::fprintf(stderr, "\n");
    return kExitUsage;
  }
  auto it = codecs().find(args[0]);
  if (it == codecs().end()) {
    std::fprintf(stderr, "exmapi codec: unknown codec '%s'\n", args[0].c_str());
    return kExitUsage;
  }
  std::string in = read_stdin();
  exmapi_buf out{nullptr, 0};
  auto fn = args[1] == "compress" ? it->second.compress : it->second.decompress;
  exmapi_status st = fn(&out, reinterpret_cast<const uint8_t*>(in.data()), in.size());
  std::string what = "codec " + args[0] + " " + args[1];
  if (st != EXMAPI_OK) return report_last_error(what.c_str());
  bool ok = write_stdout(out.data, out.size);
  exmapi_buf_dispose(&out);
  if (!ok) {
    std::fprintf(stderr, "exmapi %s: cannot write standard output\n", what.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

Registrar command{{"codec", "compress or decompress a raw stream (lz77, rtf) from stdin to stdout", run_codec,
                   "exmapi codec NAME compress|decompress <IN >OUT"}};
}  // namespace

CodecRegistrar::CodecRegistrar(const Codec& codec) { codecs().emplace(codec.name, codec); }

}  // namespace exmapi::cli
