#include <exmapi/common.h>
#include <exmapi/errors.h>

#include <cstdlib>
#include <cstring>

#include "capi/capi_guard.hpp"

namespace exmapi::capi {

namespace {
struct LastError {
  std::string message;
  exmapi_error view{EXMAPI_OK, "", kNoOffset};
};
thread_local LastError t_last;
}  // namespace

void set_last_error(exmapi_status status, std::string message, size_t offset) noexcept {
  try {
    t_last.message = std::move(message);
  } catch (...) {
    t_last.message.clear();
  }
  t_last.view = {status, t_last.message.c_str(), offset};
}

void clear_last_error() noexcept {
  t_last.message.clear();
  t_last.view = {EXMAPI_OK, "", kNoOffset};
}

void give(exmapi_buf* out, ByteView bytes) {
  // malloc(0) may return NULL; always hand out a real pointer so callers can tell "empty" from "failed".
  auto* p = static_cast<uint8_t*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
  if (!p) throw std::bad_alloc();
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  out->data = p;
  out->size = bytes.size();
}

void require(const void* p, const char* what) {
  if (!p) throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string(what) + " must not be NULL");
}

}  // namespace exmapi::capi

extern "C" {

EXMAPI_EXTERN(void) exmapi_buf_dispose(exmapi_buf* buf) {
  if (!buf) return;
  std::free(buf->data);
  buf->data = nullptr;
  buf->size = 0;
}

EXMAPI_EXTERN(int) exmapi_version_major(void) { return EXMAPI_VERSION_MAJOR; }
EXMAPI_EXTERN(int) exmapi_version_minor(void) { return EXMAPI_VERSION_MINOR; }
EXMAPI_EXTERN(int) exmapi_version_patch(void) { return EXMAPI_VERSION_PATCH; }
EXMAPI_EXTERN(const char*) exmapi_version_string(void) { return EXMAPI_VERSION; }

EXMAPI_EXTERN(int) exmapi_status_is_library(exmapi_status status) {
  return (status & 0xFFFF0000u) == 0xA0E50000u;
}

EXMAPI_EXTERN(const char*) exmapi_status_name(exmapi_status status) { return exmapi::status_name(status); }

EXMAPI_EXTERN(const exmapi_error*) exmapi_error_last(void) { return &exmapi::capi::t_last.view; }

EXMAPI_EXTERN(void) exmapi_error_clear(void) { exmapi::capi::clear_last_error(); }
}
