// The C++ error model. Library code throws exmapi::Error (or a subclass); the C ABI catches it at the
// boundary and turns it into an exmapi_status plus the thread's last-error record.
#pragma once

#include <exmapi/errors.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace exmapi {

constexpr size_t kNoOffset = std::numeric_limits<size_t>::max();

class Error : public std::exception {
 public:
  Error(exmapi_status status, std::string message) : status_(status), message_(std::move(message)) {}
  exmapi_status status() const noexcept { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const noexcept { return message_; }

 protected:
  exmapi_status status_;
  std::string message_;
};

// Raised by every decoder. The field path grows outward as the exception passes through
// FieldScope/in_field frames, so a failure deep inside reads "RopQueryRows.RowData[3].value".
class DecodeError : public Error {
 public:
  DecodeError(size_t offset, std::string_view field, std::string reason);
  size_t offset() const noexcept { return offset_; }
  const std::string& path() const noexcept { return path_; }
  const std::string& reason() const noexcept { return reason_; }
  // Adds an enclosing structure's name in front of the path.
  void prepend(std::string_view outer);

 private:
  void rebuild();
  size_t offset_;
  std::string path_;
  std::string reason_;
};

class EncodeError : public Error {
 public:
  EncodeError(std::string_view field, std::string reason);
};

// Runs fn(); a DecodeError escaping it gets `name` prepended to its path. Zero cost when nothing throws.
template <class Fn>
decltype(auto) in_field(std::string_view name, Fn&& fn) {
  try {
    return fn();
  } catch (DecodeError& e) {
    e.prepend(name);
    throw;
  }
}

// Name of a status code (library or MAPI), or nullptr.
const char* status_name(exmapi_status status) noexcept;

}  // namespace exmapi
