// The boundary between the C++ core and the C ABI: no exception crosses it.
#pragma once

#include <exmapi/errors.h>

#include <new>
#include <string>

#include "base/bytes.hpp"
#include "base/error.hpp"

namespace exmapi::capi {

void set_last_error(exmapi_status status, std::string message, size_t offset = kNoOffset) noexcept;
void clear_last_error() noexcept;

// Runs fn() and maps whatever it throws to a status and the thread's last error.
template <class Fn>
exmapi_status guard(Fn&& fn) noexcept {
  try {
    fn();
    clear_last_error();
    return EXMAPI_OK;
  } catch (const DecodeError& e) {
    set_last_error(e.status(), e.message(), e.offset());
    return e.status();
  } catch (const Error& e) {
    set_last_error(e.status(), e.message());
    return e.status();
  } catch (const std::bad_alloc&) {
    set_last_error(EXMAPI_E_NO_MEMORY, "out of memory");
    return EXMAPI_E_NO_MEMORY;
  } catch (const std::exception& e) {
    set_last_error(EXMAPI_E_INTERNAL, std::string("internal error: ") + e.what());
    return EXMAPI_E_INTERNAL;
  } catch (...) {
    set_last_error(EXMAPI_E_INTERNAL, "internal error");
    return EXMAPI_E_INTERNAL;
  }
}

// Hands bytes to the caller in a malloc'd exmapi_buf (freed by exmapi_buf_dispose).
void give(exmapi_buf* out, ByteView bytes);

// Fails with EXMAPI_E_INVALID_ARGUMENT when a required pointer is NULL.
void require(const void* p, const char* what);

}  // namespace exmapi::capi
