#include "mapihttp/bodies.hpp"

#include <array>
#include <optional>
#include <tuple>

namespace exmapi::mapihttp {

namespace detail {
void throw_large_count_encode(std::string_view field, size_t n) {
  throw EncodeError(field, std::to_string(n) + " entries, the spec limits this count to " + std::to_string(kMaxLargeCount));
}
void throw_large_count_decode(size_t offset, std::string_view field, size_t n) {
  throw DecodeError(offset, field, "count " + std::to_string(n) + " exceeds the spec's limit of " + std::to_string(kMaxLargeCount));
}
}  // namespace detail

namespace {

template <class Body>
struct TypeTable;
template <class... T>
struct TypeTable<rop::OneOf<T...>> {
  static_assert(sizeof...(T) == kRequestTypeCount - 1, "one body per request type but PING");
  // Calls fn.template operator()<Alternative>() for the alternative whose kType is `type`.
  template <class Fn>
  static auto dispatch(RequestType type, Fn&& fn) {
    using R = decltype(fn.template operator()<std::tuple_element_t<0, std::tuple<T...>>>());
    if (!has_body(type)) throw Error(EXMAPI_E_INVALID_ARGUMENT, "the PING request type has no request or response body");
    std::optional<R> out;
    ((T::kType == type ? (void)out.emplace(fn.template operator()<T>()) : (void)0), ...);
    return std::move(*out);
  }
  static constexpr bool ordered() {
    size_t i = 0;
    bool ok = true;
    ((ok = ok && static_cast<size_t>(T::kType) == i + (i >= static_cast<size_t>(RequestType::Ping) ? 1 : 0), ++i), ...);
    return ok;
  }
};
static_assert(TypeTable<RequestBody>::ordered() && TypeTable<ResponseBody>::ordered(),
              "alternatives follow RequestType order");

template <class Body>
Body decode_any(RequestType type, ByteView bytes) {
  return TypeTable<Body>::dispatch(type, [&]<class T>() { return Body(decode_body<T>(bytes)); });
}

template <class Body>
Body sample_any(RequestType type, uint64_t seed, uint32_t status_code) {
  return TypeTable<Body>::dispatch(type, [&]<class T>() {
    T body;
    rop::Sampler s(seed, status_code, nullptr);
    body.describe(s);
    return Body(std::move(body));
  });
}

template <class Body>
std::string json_any(const Body& body) {
  return visit(
      [](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        std::string fields = body_json(b);
        std::string out = "{\"RequestType\":\"" + std::string(request_type_name(T::kType)) + "\",\"Body\":\"" +
                          std::string(T::kName) + "\"";
        if (fields.size() > 2) out += "," + fields.substr(1, fields.size() - 2);
        return out + "}";
      },
      body);
}

}  // namespace

RequestBody decode_request(RequestType type, ByteView bytes) { return decode_any<RequestBody>(type, bytes); }
ResponseBody decode_response(RequestType type, ByteView bytes) { return decode_any<ResponseBody>(type, bytes); }

Bytes encode_request(const RequestBody& body) {
  return visit([](const auto& b) { return encode_body(b); }, body);
}
Bytes encode_response(const ResponseBody& body) {
  return visit([](const auto& b) { return encode_body(b); }, body);
}

RequestType type_of(const RequestBody& body) noexcept {
  return visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}
RequestType type_of(const ResponseBody& body) noexcept {
  return visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}

std::string to_json(const RequestBody& body) { return json_any(body); }
std::string to_json(const ResponseBody& body) { return json_any(body); }

RequestBody sample_request(RequestType type, uint64_t seed) { return sample_any<RequestBody>(type, seed, 0); }
ResponseBody sample_response(RequestType type, uint64_t seed, uint32_t status_code) {
  return sample_any<ResponseBody>(type, seed, status_code);
}

}  // namespace exmapi::mapihttp
