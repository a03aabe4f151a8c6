// OneOf<T...>: a tagged union for the ROP request and response sets (130 alternatives).
//
// Why not std::variant: libstdc++ builds std::variant<T...> as a recursive union, so every translation
// unit that copies, moves, destroys or visits a 130-way variant instantiates hundreds of nested
// templates (measured: 40 of the 58 s clang spends on rop_buffer.cpp at -O0, and up to 9 GB of RAM
// under ASan). OneOf keeps the same value semantics with flat function-pointer tables: each operation
// costs one instantiation per alternative.
//
// The interface mirrors the subset of std::variant the codebase uses: get_if<T>(&v), get<T>(v),
// holds_alternative<T>(v), visit(f, v), ==, index(). The free functions are found by argument-
// dependent lookup, so call sites write them unqualified.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>
#include <variant>

namespace exmapi::rop {

template <class... T>
class OneOf {
  static_assert(sizeof...(T) > 0 && sizeof...(T) < 256);

 public:
  template <class U>
  static constexpr bool kHolds = (std::is_same_v<U, T> || ...);

  template <class U>
  static constexpr size_t index_of() noexcept {
    static_assert(kHolds<U>, "not an alternative of this OneOf");
    size_t i = 0;
    bool found = false;
    ((found = found || std::is_same_v<U, T>, i += found ? 0 : 1), ...);
    return i;
  }

  // Like std::variant: the first alternative, value-initialised.
  OneOf() : index_(0) { new (storage_) First(); }

  template <class U>
    requires kHolds<std::remove_cvref_t<U>>
  OneOf(U&& value) : index_(static_cast<uint8_t>(index_of<std::remove_cvref_t<U>>())) {  // NOLINT: implicit like variant
    new (storage_) std::remove_cvref_t<U>(std::forward<U>(value));
  }

  OneOf(const OneOf& other) : index_(other.index_) { kCopy[index_](storage_, other.storage_); }
  OneOf(OneOf&& other) noexcept : index_(other.index_) { kMove[index_](storage_, other.storage_); }

  OneOf& operator=(const OneOf& other) {
    if (this != &other) {
      OneOf copy(other);  // strong guarantee: a throwing copy leaves *this untouched
      *this = std::move(copy);
    }
    return *this;
  }
  OneOf& operator=(OneOf&& other) noexcept {
    if (this != &other) {
      kDestroy[index_](storage_);
      index_ = other.index_;
      kMove[index_](storage_, other.storage_);
    }
    return *this;
  }

  ~OneOf() { kDestroy[index_](storage_); }

  size_t index() const noexcept { return index_; }

  template <class U>
  U* get_if() noexcept {
    return index_ == index_of<U>() ? std::launder(reinterpret_cast<U*>(storage_)) : nullptr;
  }
  template <class U>
  const U* get_if() const noexcept {
    return index_ == index_of<U>() ? std::launder(reinterpret_cast<const U*>(storage_)) : nullptr;
  }

  // Calls f with the held alternative; every alternative's call must return the same type.
  template <class F>
  decltype(auto) visit(F&& f) {
    using R = std::invoke_result_t<F&, First&>;
    static constexpr R (*kCall[])(F&, std::byte*) = {+[](F& fn, std::byte* p) -> R {
      return fn(*std::launder(reinterpret_cast<T*>(p)));
    }...};
    return kCall[index_](f, storage_);
  }
  template <class F>
  decltype(auto) visit(F&& f) const {
    using R = std::invoke_result_t<F&, const First&>;
    static constexpr R (*kCall[])(F&, const std::byte*) = {+[](F& fn, const std::byte* p) -> R {
      return fn(*std::launder(reinterpret_cast<const T*>(p)));
    }...};
    return kCall[index_](f, storage_);
  }

  friend bool operator==(const OneOf& a, const OneOf& b) {
    static constexpr bool (*kEqual[])(const std::byte*, const std::byte*) = {
        +[](const std::byte* x, const std::byte* y) {
          return *std::launder(reinterpret_cast<const T*>(x)) == *std::launder(reinterpret_cast<const T*>(y));
        }...};
    return a.index_ == b.index_ && kEqual[a.index_](a.storage_, b.storage_);
  }

 private:
  template <class H, class...>
  struct Head {
    using type = H;
  };
  using First = typename Head<T...>::type;

  static constexpr void (*kDestroy[])(std::byte*) noexcept = {
      +[](std::byte* p) noexcept { std::launder(reinterpret_cast<T*>(p))->~T(); }...};
  static constexpr void (*kCopy[])(std::byte*, const std::byte*) = {
      +[](std::byte* dst, const std::byte* src) { new (dst) T(*std::launder(reinterpret_cast<const T*>(src))); }...};
  // Alternatives are plain structs of vectors and strings, whose moves do not throw.
  static constexpr void (*kMove[])(std::byte*, std::byte*) noexcept = {+[](std::byte* dst, std::byte* src) noexcept {
    static_assert(std::is_nothrow_move_constructible_v<T>);
    new (dst) T(std::move(*std::launder(reinterpret_cast<T*>(src))));
  }...};

  alignas(T...) std::byte storage_[std::max({sizeof(T)...})];
  uint8_t index_;
};

template <class U, class... T>
U* get_if(OneOf<T...>* v) noexcept {
  return v ? v->template get_if<U>() : nullptr;
}
template <class U, class... T>
const U* get_if(const OneOf<T...>* v) noexcept {
  return v ? v->template get_if<U>() : nullptr;
}
template <class U, class... T>
bool holds_alternative(const OneOf<T...>& v) noexcept {
  return v.index() == OneOf<T...>::template index_of<U>();
}
template <class U, class... T>
U& get(OneOf<T...>& v) {
  if (U* p = v.template get_if<U>()) return *p;
  throw std::bad_variant_access();
}
template <class U, class... T>
const U& get(const OneOf<T...>& v) {
  if (const U* p = v.template get_if<U>()) return *p;
  throw std::bad_variant_access();
}
template <class F, class... T>
decltype(auto) visit(F&& f, OneOf<T...>& v) {
  return v.visit(std::forward<F>(f));
}
template <class F, class... T>
decltype(auto) visit(F&& f, const OneOf<T...>& v) {
  return v.visit(std::forward<F>(f));
}

}  // namespace exmapi::rop
