// C ABI of the ROP dissector (include/exmapi/rop.h).
#include <exmapi/rop.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "capi/capi_guard.hpp"
#include "rop/rop_buffer.hpp"
#include "wire/extended_buffer.hpp"

namespace {

using exmapi::ByteView;
using exmapi::rop::PartialRequests;
using exmapi::rop::PartialResponses;
using exmapi::rop::RopFraming;
namespace detail = exmapi::rop::detail;

// Where decoding stopped: which input, which ROP buffer of it, and the exception as thrown.
struct Stop {
  const char* input = nullptr;
  std::optional<size_t> buffer;
  std::exception_ptr error;
};

std::string uint_json(size_t v) { return std::to_string(v); }

template <class Rop>
std::string rops_json(const std::vector<Rop>& rops) {
  std::string out = "[";
  for (size_t i = 0; i < rops.size(); ++i) {
    if (i) out += ',';
    out += exmapi::rop::to_json(rops[i]);
  }
  return out + ']';
}

std::string handles_json(const std::vector<uint32_t>& handles) {
  std::string out = "[";
  for (size_t i = 0; i < handles.size(); ++i) {
    if (i) out += ',';
    out += uint_json(handles[i]);
  }
  return out + ']';
}

// One ROP buffer of BUFFER/EXTENDED framing. RopSize is printed as the input states it, whether or
// not it turned out to fit.
template <class Partial>
std::string buffer_json(ByteView bytes, const Partial& p) {
  std::string out = "{";
  if (bytes.size() >= 2) out += "\"RopSize\":" + uint_json(bytes[0] | bytes[1] << 8) + ',';
  out += "\"rops\":" + rops_json(p.rops) + ",\"ServerObjectHandleTable\":" + handles_json(p.handles) + '}';
  return out;
}

std::string header_json(const exmapi::wire::RpcHeaderExt& h) {
  std::string flags;
  auto flag = [&](uint16_t bit, const char* name) {
    if (!(h.flags & bit)) return;
    if (!flags.empty()) flags += ',';
    flags += '"';
    flags += name;
    flags += '"';
  };
  flag(exmapi::wire::kRpcExtCompressed, "Compressed");
  flag(exmapi::wire::kRpcExtXorMagic, "XorMagic");
  flag(exmapi::wire::kRpcExtLast, "Last");
  return "{\"Version\":" + uint_json(h.version) + ",\"Flags\":[" + flags + "],\"Size\":" + uint_json(h.size) +
         ",\"SizeActual\":" + uint_json(h.size_actual) + '}';
}

// The ROP buffers of one input: the input itself, or the payloads of its extended buffer. An
// extended buffer that does not unpack leaves no buffers and a stop.
struct Buffers {
  std::vector<exmapi::Bytes> payloads;
  std::string extended_json;  // "[HEADER...]" for EXTENDED framing
};
Buffers split_input(ByteView in, uint32_t framing, const char* input, Stop& stop) {
  Buffers b;
  if (framing != EXMAPI_ROP_FRAMING_EXTENDED) {
    b.payloads.emplace_back(in.begin(), in.end());
    return b;
  }
  b.extended_json = "[";
  try {
    std::vector<exmapi::wire::ExtendedBuffer> parts = exmapi::wire::unpack(in);
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) b.extended_json += ',';
      b.extended_json += header_json(parts[i].header);
      b.payloads.push_back(std::move(parts[i].payload));
    }
  } catch (const exmapi::DecodeError&) {
    stop = {input, std::nullopt, std::current_exception()};
  }
  b.extended_json += ']';
  return b;
}

std::string side_json(uint32_t framing, const Buffers& b, const std::vector<std::string>& buffers) {
  if (framing == EXMAPI_ROP_FRAMING_LIST) return buffers.empty() ? "{\"rops\":[]}" : buffers[0];
  std::string out = "{";
  if (framing == EXMAPI_ROP_FRAMING_EXTENDED) out += "\"extended\":" + b.extended_json + ',';
  out += "\"buffers\":[";
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (i) out += ',';
    out += buffers[i];
  }
  return out + "]}";
}

std::string error_json(const Stop& stop, std::string& message, size_t& offset) {
  std::string out = "{\"input\":\"";
  out += stop.input;
  out += '"';
  if (stop.buffer) out += ",\"buffer\":" + uint_json(*stop.buffer);
  auto common = [&](const exmapi::DecodeError& e) {
    message = e.message();
    offset = e.offset();
    out += ",\"offset\":" + uint_json(e.offset()) + ",\"path\":";
    detail::append_json_text(out, e.path());
    out += ",\"reason\":";
    detail::append_json_text(out, e.reason());
    out += ",\"message\":";
    detail::append_json_text(out, e.message());
  };
  try {
    std::rethrow_exception(stop.error);
  } catch (const exmapi::rop::MissingContextError& e) {
    common(e);
    out += ",\"missing_context\":\"";
    out += exmapi::rop::context_need_name(e.need());
    out += '"';
  } catch (const exmapi::DecodeError& e) {
    common(e);
  }
  return out + '}';
}

exmapi::rop::ResponseContext supplied_context(const exmapi_rop_decode_options& o) {
  exmapi::rop::ResponseContext c;
  if (o.columns) c.columns = std::make_shared<const std::vector<uint32_t>>(o.columns, o.columns + o.column_count);
  if (o.logon_flags >= 0) c.logon_flags = static_cast<uint8_t>(o.logon_flags);
  return c;
}

}  // namespace

extern "C" {

EXMAPI_EXTERN(exmapi_status) exmapi_rop_decode(exmapi_buf* out_json, const exmapi_rop_decode_options* options,
                                               const void* request, size_t request_size, const void* response,
                                               size_t response_size) {
  std::string stop_message;
  size_t stop_offset = exmapi::kNoOffset;
  bool stopped = false;
  exmapi_status status = exmapi::capi::guard([&] {
    exmapi::capi::require(out_json, "out_json");
    *out_json = {nullptr, 0};
    exmapi_rop_decode_options o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
    if (options) o = *options;
    if (o.version != EXMAPI_ROP_DECODE_OPTIONS_VERSION)
      throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "unknown exmapi_rop_decode_options version " + std::to_string(o.version));
    if (o.framing > EXMAPI_ROP_FRAMING_EXTENDED)
      throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "unknown framing " + std::to_string(o.framing));
    if (o.logon_flags < -1 || o.logon_flags > 255)
      throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "logon_flags must be -1 or a byte value");
    if (o.column_count) exmapi::capi::require(o.columns, "options->columns");
    if (!request && !response) throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "neither request nor response bytes given");
    if (request_size) exmapi::capi::require(request, "request");
    if (response_size) exmapi::capi::require(response, "response");
    RopFraming framing = o.framing == EXMAPI_ROP_FRAMING_LIST ? RopFraming::List : RopFraming::Buffer;

    Stop stop;
    std::string doc = "{";
    std::vector<PartialRequests> requests;
    if (request) {
      Buffers in = split_input({static_cast<const uint8_t*>(request), request_size}, o.framing, "request", stop);
      std::vector<std::string> parts;
      exmapi::rop::LogonFlagsState logons;  // a RopLogon in one payload serves the later ones
      for (size_t i = 0; i < in.payloads.size() && !stop.error; ++i) {
        requests.push_back(exmapi::rop::decode_requests_partial(in.payloads[i], framing, &logons));
        const PartialRequests& p = requests.back();
        parts.push_back(framing == RopFraming::List ? "{\"rops\":" + rops_json(p.rops) + '}' : buffer_json(in.payloads[i], p));
        if (p.error) stop = {"request", framing == RopFraming::List ? std::nullopt : std::optional<size_t>(i), p.error};
      }
      doc += "\"request\":" + side_json(o.framing, in, parts);
    }
    // Responses are read against their requests, so requests that did not decode leave them unread.
    if (response && !stop.error) {
      Buffers in = split_input({static_cast<const uint8_t*>(response), response_size}, o.framing, "response", stop);
      exmapi::rop::TableColumnsState tables;
      exmapi::rop::ResponseSources sources;
      sources.supplied = supplied_context(o);
      sources.tables = &tables;
      std::vector<std::string> parts;
      // Response chaining (MS-OXCRPC 4.3): extended buffers beyond those the requests account for
      // carry further responses to the last ROP of the request (RopReadStream, RopQueryRows,
      // RopFastTransferSourceGetBuffer), each in a ROP output buffer of its own.
      std::vector<exmapi::rop::RopRequest> last_rop;
      if (!requests.empty() && !requests.back().rops.empty()) last_rop.push_back(requests.back().rops.back());
      for (size_t i = 0; i < in.payloads.size() && !stop.error; ++i) {
        if (!requests.empty()) {
          const PartialRequests& req = requests[std::min(i, requests.size() - 1)];
          sources.requests = i < requests.size() ? &req.rops : &last_rop;
          sources.request_handles = &req.handles;
        }
        PartialResponses p = exmapi::rop::decode_responses_partial(in.payloads[i], framing, sources);
        parts.push_back(framing == RopFraming::List ? "{\"rops\":" + rops_json(p.rops) + '}' : buffer_json(in.payloads[i], p));
        if (p.error) stop = {"response", framing == RopFraming::List ? std::nullopt : std::optional<size_t>(i), p.error};
      }
      if (doc.size() > 1) doc += ',';
      doc += "\"response\":" + side_json(o.framing, in, parts);
    }
    if (stop.error) {
      stopped = true;
      doc += ",\"error\":" + error_json(stop, stop_message, stop_offset);
    }
    doc += '}';
    // The NUL travels inside the buffer so C callers can use the text directly; size excludes it.
    exmapi::capi::give(out_json, {reinterpret_cast<const uint8_t*>(doc.c_str()), doc.size() + 1});
    out_json->size = doc.size();
  });
  if (status == EXMAPI_OK && stopped) {
    exmapi::capi::set_last_error(EXMAPI_E_DECODE, stop_message, stop_offset);
    return EXMAPI_E_DECODE;
  }
  return status;
}
}
