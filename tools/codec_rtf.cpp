// `exmapi codec rtf compress|decompress`: whole PidTagRtfCompressed values (MS-OXRTFCP), through the C ABI.
#include <exmapi/rtf.h>

#include "codec_cmd.hpp"

namespace {

exmapi_status rtf_compress(exmapi_buf* out, const uint8_t* in, size_t in_size) {
  return exmapi_rtf_compress(out, in, in_size);
}

exmapi_status rtf_decompress(exmapi_buf* out, const uint8_t* in, size_t in_size) {
  return exmapi_rtf_decompress(out, in, in_size);
}

exmapi::cli::CodecRegistrar rtf_codec{
    {"rtf", "compressed RTF (MS-OXRTFCP LZFu; MELA too when decompressing)", rtf_compress, rtf_decompress}};

}  // namespace
