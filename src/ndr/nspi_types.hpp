// The NSPI structures as NDR carries them (MS-OXNSPI 2.2.2, IDL in MS-OXNSPI 6 / MS-NSPI 6). These
// are not the ROP-buffer forms of src/rop: PropertyValue_r is an NDR union switched on the tag's
// type, arrays are conformant (their max_count hoisted to the front of the enclosing structure) and
// strings are [string] arrays behind pointers.
//
// Pointers whose null form carries no information beyond an empty array (lpProps, lpb, lpi...) are
// modelled as vectors: empty encodes as NULL, and a non-NULL empty array decodes to the same empty
// vector. A NULL such pointer with a non-zero count is rejected: no valid value gives it.
#pragma once

#include <variant>

#include "ndr/ndr.hpp"

namespace exmapi::ndr::nspi {

// [range(0, 100000)] on almost every NSPI count (MS-OXNSPI 6).
constexpr uint64_t kMaxCount = 100000;
constexpr uint64_t kMaxPropTagCount = 100001;  // PropertyTagArray_r.cValues
constexpr uint64_t kMaxBinary = 2097152;       // Binary_r.cb

// A count, then a [unique, size_is(count)] pointer to count elements (Binary_r, ShortArray_r...).
template <class A, class T, class Fn>
void counted_array_pointer(A& a, std::string_view count_name, std::string_view ptr_name, std::vector<T>& v,
                           uint64_t range, size_t min_size, Fn each) {
  size_t n = a.count32(count_name, v.size(), range);
  // By value: the referent is decoded after this function has returned (NDR defers it).
  bool present = a.unique_array(ptr_name, v, [n, ptr_name, min_size, each](auto& a, std::vector<T>& v) {
    uint32_t max = a.conformance(ptr_name, n);
    a.same_size(ptr_name, max, n);
    if constexpr (std::is_same_v<T, uint8_t>) {
      (void)min_size, (void)each;
      a.byte_elements(ptr_name, v, n);
    } else {
      a.elements(ptr_name, v, n, min_size, each);
    }
  });
  if (!present && n != 0) a.fail(ptr_name, "NULL pointer with a count of " + std::to_string(n));
}

// STAT (MS-OXNSPI 2.2.8): the table position every NSPI call carries.
struct Stat {
  uint32_t sort_type = 0, container_id = 0, current_rec = 0;
  int32_t delta = 0;
  uint32_t num_pos = 0, total_recs = 0, code_page = 0, template_locale = 0, sort_locale = 0;
  friend bool operator==(const Stat&, const Stat&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("SortType", sort_type);
    a.u32("ContainerID", container_id);
    a.u32("CurrentRec", current_rec);
    a.i32("Delta", delta);
    a.u32("NumPos", num_pos);
    a.u32("TotalRecs", total_recs);
    a.u32("CodePage", code_page);
    a.u32("TemplateLocale", template_locale);
    a.u32("SortLocale", sort_locale);
  }
};

// PropertyTagArray_r (MS-OXNSPI 2.2.2.1): proptags, and also lists of Minimal Entry IDs.
// [size_is(cValues + 1), length_is(cValues)]: a conformant varying array with one spare slot.
struct PropertyTagArray {
  std::vector<uint32_t> values;
  friend bool operator==(const PropertyTagArray&, const PropertyTagArray&) = default;
  template <class A>
  void describe(A& a) {
    uint32_t max = a.conformance("aulPropTag", values.size() + 1);
    size_t n = a.count32("cValues", values.size(), kMaxPropTagCount);
    a.same_size("aulPropTag", max, uint64_t{n} + 1);
    a.variance("aulPropTag", n);
    a.elements("aulPropTag", values, n, 4, [](auto& a, uint32_t& v) { a.u32("", v); });
  }
};

// Binary_r (MS-OXNSPI 2.2.2.3) as a description step: cb, then the [size_is(cb)] lpb pointer.
template <class A>
void binary_r(A& a, Bytes& b) {
  counted_array_pointer(a, "cb", "lpb", b, kMaxBinary, 1, nullptr);
}
template <class A>
void string8_pointer(A& a, std::string_view name, std::string& s) {
  a.unique_required(name, s, [name](auto& a, std::string& s) { a.string8(name, s); });
}
template <class A>
void string16_pointer(A& a, std::string_view name, std::string& s) {
  a.unique_required(name, s, [name](auto& a, std::string& s) { a.string16(name, s); });
}

// PROP_VAL_UNION's arms (MS-OXNSPI 2.2.2.2). Which C++ type holds a value follows from the tag's
// property type: std::string is PtypString8 (bytes in the session's code page) or PtypString
// (UTF-8 here, UTF-16LE on the wire); int32_t is PtypInteger32, PtypErrorCode or the lReserved of
// PtypNull / PtypEmbeddedTable.
using PropValueUnion =
    std::variant<int32_t, int16_t, uint16_t, std::string, Bytes, Guid, FileTime, std::vector<int16_t>,
                 std::vector<int32_t>, std::vector<std::string>, std::vector<Bytes>, std::vector<Guid>,
                 std::vector<FileTime>>;

namespace detail {
// The union member for the arm being described: created when decoding, checked when encoding.
template <class T, class A>
T& arm(A& a, PropValueUnion& v, std::string_view name) {
  if constexpr (A::kDecoding) {
    return v.template emplace<T>();
  } else {
    if (T* p = std::get_if<T>(&v)) return *p;
    a.fail(name, "the value's C++ type does not match its property tag's type");
  }
}
}  // namespace detail

// PropertyValue_r (MS-OXNSPI 2.2.2.4): the union is non-encapsulated, so its discriminant is on the
// wire (right after ulReserved) and must equal the tag's low 16 bits.
struct PropertyValue {
  uint32_t prop_tag = 0x00000001;  // PtypNull with property ID 0: the value-less default
  uint32_t reserved = 0;
  PropValueUnion value;
  friend bool operator==(const PropertyValue&, const PropertyValue&) = default;

  template <class A>
  void describe(A& a) {
    using detail::arm;
    a.u32("ulPropTag", prop_tag);
    a.u32("ulReserved", reserved);
    uint32_t type = prop_tag & 0xFFFF;
    uint32_t discriminant = type;
    a.u32("Value", discriminant);
    a.same_size("Value", discriminant, type);
    switch (type) {
      case 0x0002: a.i16("i", arm<int16_t>(a, value, "i")); break;
      case 0x0003: a.i32("l", arm<int32_t>(a, value, "l")); break;
      case 0x000B: a.u16("b", arm<uint16_t>(a, value, "b")); break;
      case 0x001E: string8_pointer(a, "lpszA", arm<std::string>(a, value, "lpszA")); break;
      case 0x0102: binary_r(a, arm<Bytes>(a, value, "bin")); break;
      case 0x001F: string16_pointer(a, "lpszW", arm<std::string>(a, value, "lpszW")); break;
      case 0x0048:
        a.unique_required("lpguid", arm<Guid>(a, value, "lpguid"), [](auto& a, Guid& g) { a.flat_uid("lpguid", g); });
        break;
      case 0x0040: a.filetime("ft", arm<FileTime>(a, value, "ft")); break;
      case 0x000A: a.i32("err", arm<int32_t>(a, value, "err")); break;
      case 0x1002:
        counted_array_pointer(a, "cValues", "lpi", arm<std::vector<int16_t>>(a, value, "MVi"), kMaxCount, 2,
                              [](auto& a, int16_t& v) { a.i16("", v); });
        break;
      case 0x1003:
        counted_array_pointer(a, "cValues", "lpl", arm<std::vector<int32_t>>(a, value, "MVl"), kMaxCount, 4,
                              [](auto& a, int32_t& v) { a.i32("", v); });
        break;
      case 0x101E:
        counted_array_pointer(a, "cValues", "lppszA", arm<std::vector<std::string>>(a, value, "MVszA"), kMaxCount, 4,
                              [](auto& a, std::string& s) { string8_pointer(a, "", s); });
        break;
      case 0x1102:
        counted_array_pointer(a, "cValues", "lpbin", arm<std::vector<Bytes>>(a, value, "MVbin"), kMaxCount, 8,
                              [](auto& a, Bytes& b) { binary_r(a, b); });
        break;
      case 0x1048:
        counted_array_pointer(a, "cValues", "lpguid", arm<std::vector<Guid>>(a, value, "MVguid"), kMaxCount, 4,
                              [](auto& a, Guid& g) {
                                a.unique_required("", g, [](auto& a, Guid& g) { a.flat_uid("", g); });
                              });
        break;
      case 0x101F:
        counted_array_pointer(a, "cValues", "lppszW", arm<std::vector<std::string>>(a, value, "MVszW"), kMaxCount, 4,
                              [](auto& a, std::string& s) { string16_pointer(a, "", s); });
        break;
      case 0x1040:
        counted_array_pointer(a, "cValues", "lpft", arm<std::vector<FileTime>>(a, value, "MVft"), kMaxCount, 8,
                              [](auto& a, FileTime& t) { a.filetime("", t); });
        break;
      case 0x0001:
      case 0x000D: a.i32("lReserved", arm<int32_t>(a, value, "lReserved")); break;
      default: a.fail("Value", "property type " + std::to_string(type) + " has no PROP_VAL_UNION arm");
    }
  }
};

// PropertyRow_r (MS-OXNSPI 2.2.2.5).
struct PropertyRow {
  uint32_t reserved = 0;
  std::vector<PropertyValue> props;
  friend bool operator==(const PropertyRow&, const PropertyRow&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    counted_array_pointer(a, "cValues", "lpProps", props, kMaxCount, 12,
                          [](auto& a, PropertyValue& v) { v.describe(a); });
  }
};

// PropertyRowSet_r (MS-OXNSPI 2.2.2.6): a conformant structure (max_count first).
struct PropertyRowSet {
  std::vector<PropertyRow> rows;
  friend bool operator==(const PropertyRowSet&, const PropertyRowSet&) = default;
  template <class A>
  void describe(A& a) {
    uint32_t max = a.conformance("aRow", rows.size());
    size_t n = a.count32("cRows", rows.size(), kMaxCount);
    a.same_size("aRow", max, n);
    a.elements("aRow", rows, n, 12, [](auto& a, PropertyRow& r) { r.describe(a); });
  }
};

// Restriction types (MS-OXNSPI 2.2.2.18, RestrictionUnion_r).
enum RestrictionType : uint32_t {
  kResAnd = 0, kResOr = 1, kResNot = 2, kResContent = 3, kResProperty = 4, kResCompareProps = 5,
  kResBitMask = 6, kResSize = 7, kResExist = 8, kResSub = 9,
};

// Restriction_r (MS-OXNSPI 2.2.2.7-2.2.2.18). The arms share one flat shape: three DWORDs, an
// optional property value and the child restrictions.
struct Restriction {
  uint32_t rt = kResAnd;
  // ulFuzzyLevel (content), relop (property, compare props, size), relBMR (bitmask),
  // ulReserved1 (exist), ulSubObject (sub).
  uint32_t op = 0;
  // ulPropTag; ulPropTag1 for compare props. Unused by and, or, not, sub.
  uint32_t prop_tag = 0;
  // ulPropTag2 (compare props), ulMask (bitmask), cb (size), ulReserved2 (exist).
  uint32_t operand = 0;
  std::optional<PropertyValue> prop;  // lpProp (content, property)
  // And / Or: the lpRes array. Not / Sub: the lpRes referent, none when NULL.
  std::vector<Restriction> children;
  friend bool operator==(const Restriction&, const Restriction&) = default;

  template <class A>
  void describe(A& a) {
    a.u32("rt", rt);
    uint32_t discriminant = rt;
    a.u32("res", discriminant);
    a.same_size("res", discriminant, rt);
    auto each = [](auto& a, Restriction& r) { r.describe(a); };
    switch (rt) {
      case kResAnd:
      case kResOr: counted_array_pointer(a, "cRes", "lpRes", children, kMaxCount, 8, each); break;
      case kResNot:
      case kResSub: {
        if (rt == kResSub) a.u32("ulSubObject", op);
        if (children.size() > 1) a.fail("lpRes", "holds one restriction at most");
        a.unique_array("lpRes", children, [each](auto& a, std::vector<Restriction>& v) { a.elements("lpRes", v, 1, 8, each); });
        break;
      }
      case kResContent:
      case kResProperty:
        a.u32(rt == kResContent ? "ulFuzzyLevel" : "relop", op);
        a.u32("ulPropTag", prop_tag);
        a.unique("lpProp", prop, [](auto& a, PropertyValue& v) { v.describe(a); });
        break;
      case kResCompareProps:
      case kResBitMask:
      case kResSize:
      case kResExist:
        a.u32("op", op);
        a.u32("ulPropTag", prop_tag);
        a.u32("operand", operand);
        break;
      default: a.fail("res", "restriction type " + std::to_string(rt) + " has no RestrictionUnion_r arm");
    }
  }
};

// PropertyName_r (MS-NSPI 2.3.5.1): a named property for NspiGetNamesFromIDs / NspiGetIDsFromNames.
struct PropertyName {
  std::optional<Guid> guid;  // lpguid
  uint32_t reserved = 0;
  int32_t id = 0;
  friend bool operator==(const PropertyName&, const PropertyName&) = default;
  template <class A>
  void describe(A& a) {
    a.unique("lpguid", guid, [](auto& a, Guid& g) { a.flat_uid("lpguid", g); });
    a.u32("ulReserved", reserved);
    a.i32("lID", id);
  }
};

// PropertyNameSet_r: a conformant structure.
struct PropertyNameSet {
  std::vector<PropertyName> names;
  friend bool operator==(const PropertyNameSet&, const PropertyNameSet&) = default;
  template <class A>
  void describe(A& a) {
    uint32_t max = a.conformance("aNames", names.size());
    size_t n = a.count32("cNames", names.size(), kMaxCount);
    a.same_size("aNames", max, n);
    a.elements("aNames", names, n, 12, [](auto& a, PropertyName& p) { p.describe(a); });
  }
};

// StringsArray_r / WStringsArray_r (MS-OXNSPI 2.2.2.9 / 2.2.2.10): a conformant structure whose
// array holds string pointers; the strings follow the array.
template <bool Wide>
struct StringsArrayT {
  std::vector<std::string> strings;
  friend bool operator==(const StringsArrayT&, const StringsArrayT&) = default;
  template <class A>
  void describe(A& a) {
    uint32_t max = a.conformance("Strings", strings.size());
    size_t n = a.count32("Count", strings.size(), kMaxCount);
    a.same_size("Strings", max, n);
    a.elements("Strings", strings, n, 4, [](auto& a, std::string& s) {
      if constexpr (Wide)
        string16_pointer(a, "", s);
      else
        string8_pointer(a, "", s);
    });
  }
};
using StringsArray = StringsArrayT<false>;
using WStringsArray = StringsArrayT<true>;

// BinaryArray_r (MS-OXNSPI 2.2.2.2 lists it among the MV value structures) as a parameter of
// NspiModLinkAtt: cValues, then the lpbin pointer.
struct BinaryArray {
  std::vector<Bytes> values;
  friend bool operator==(const BinaryArray&, const BinaryArray&) = default;
  template <class A>
  void describe(A& a) {
    counted_array_pointer(a, "cValues", "lpbin", values, kMaxCount, 8, [](auto& a, Bytes& b) { binary_r(a, b); });
  }
};

// ---- entry IDs: byte layouts inside a Binary_r value (PidTagEntryId) -------------------------------
// EphemeralEntryID (MS-OXNSPI 2.2.9.2): 32 bytes.
struct EphemeralEntryId {
  static constexpr uint8_t kType = 0x87;
  std::array<uint8_t, 3> reserved{};  // R1..R3
  Guid provider_uid;                  // the server's NspiBind GUID
  uint32_t r4 = 1;                    // "MUST be 0x00000001"
  uint32_t display_type = 0;
  uint32_t mid = 0;
  friend bool operator==(const EphemeralEntryId&, const EphemeralEntryId&) = default;
  static EphemeralEntryId decode(ByteView bytes);
  Bytes encode() const;
};

// PermanentEntryID (MS-OXNSPI 2.2.9.3): 28 bytes, then the object's DN as a NUL-terminated 8-bit string.
struct PermanentEntryId {
  static constexpr uint8_t kType = 0x00;
  std::array<uint8_t, 3> reserved{};
  Guid provider_uid;  // GUID_NSPI {C840A7DC-42C0-1A10-B4B9-08002B2FE182}
  uint32_t r4 = 1;
  uint32_t display_type = 0;
  std::string distinguished_name;
  friend bool operator==(const PermanentEntryId&, const PermanentEntryId&) = default;
  static PermanentEntryId decode(ByteView bytes);
  Bytes encode() const;
};
extern const Guid kGuidNspi;

}  // namespace exmapi::ndr::nspi
