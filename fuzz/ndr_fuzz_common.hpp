// Shared body of the fuzz_ndr_* targets: byte 0 picks a method of the group and its direction
// (bit 0: 0 request, 1 response), the rest is the stub. Whatever decodes must encode, decode again
// to the same value, and encode again to the same bytes (our referent IDs are deterministic; the
// input's need not be, nor its padding, so the input bytes themselves are not compared).
#pragma once

#include <cstdlib>
#include <tuple>

#include "ndr/ndr_methods.hpp"

namespace exmapi::ndr::fuzz {

template <class T>
void check(ByteView stub) {
  try {
    T v = decode_stub<T>(stub);
    Bytes once = encode_stub(v);
    T again = decode_stub<T>(once);
    if (!(again == v)) std::abort();
    if (encode_stub(again) != once) std::abort();
  } catch (const DecodeError&) {
  } catch (const EncodeError&) {
    // A decoded value always re-encodes: an EncodeError here is a bug.
    std::abort();
  }
}

template <class Methods, size_t... I>
void dispatch(size_t pick, ByteView stub, std::index_sequence<I...>) {
  size_t method = (pick >> 1) % sizeof...(I);
  bool response = pick & 1;
  ((method == I ? (response ? check<typename std::tuple_element_t<I, Methods>::Response>(stub)
                            : check<typename std::tuple_element_t<I, Methods>::Request>(stub))
                : void()),
   ...);
}

template <class Methods>
int run(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  dispatch<Methods>(data[0], ByteView(data + 1, size - 1), std::make_index_sequence<std::tuple_size_v<Methods>>{});
  return 0;
}

}  // namespace exmapi::ndr::fuzz
