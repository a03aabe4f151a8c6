#include "base/bytes.hpp"

namespace exmapi {

void detail::throw_short(size_t offset, std::string_view field, size_t needed, size_t left) {
  throw DecodeError(offset, field,
                    "needs " + std::to_string(needed) + " byte" + (needed == 1 ? "" : "s") + ", only " +
                        std::to_string(left) + " left");
}

size_t ByteReader::count(uint64_t claimed, size_t min_element_size, std::string_view field) const {
  size_t left = remaining();
  uint64_t fits = min_element_size == 0 ? left : left / min_element_size;
  if (min_element_size == 0) {
    // Zero-size elements (e.g. PtypNull) cost no bytes; cap them by the bytes left so a hostile count
    // still cannot make us build a huge container.
    fits = left + 65536;
  }
  if (claimed > fits)
    throw DecodeError(offset(), field,
                      "count " + std::to_string(claimed) + " exceeds what the remaining " + std::to_string(left) +
                          " bytes can hold");
  return static_cast<size_t>(claimed);
}

void ByteReader::expect_end(std::string_view what) const {
  if (!empty())
    throw DecodeError(offset(), what, std::to_string(remaining()) + " unexpected trailing bytes");
}

void ByteReader::fail(std::string_view field, std::string reason) const {
  throw DecodeError(offset(), field, std::move(reason));
}

void ByteWriter::patch_u16_length(size_t at, size_t from, std::string_view field) {
  size_t n = buf_.size() - from;
  if (n > 0xFFFF) throw EncodeError(field, "length " + std::to_string(n) + " exceeds 65535");
  patch_u16(at, static_cast<uint16_t>(n));
}

void ByteWriter::throw_limit(size_t n) const {
  throw Error(EXMAPI_E_LIMIT, "output would exceed its limit of " + std::to_string(limit_) + " bytes (" +
                                  std::to_string(buf_.size()) + " written, " + std::to_string(n) + " more)");
}

}  // namespace exmapi
