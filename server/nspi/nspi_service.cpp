#include "server/nspi/nspi_service.hpp"

#include <algorithm>
#include <random>

#include "ndr/ndr_methods.hpp"
#include "ndr/nspi_methods.hpp"
#include "ndr/rfr_methods.hpp"
#include "server/nspi/code_page.hpp"

namespace exmapi::server::nspi {

using namespace ndr::nspi;
using store::AbContainer;
using store::AbObject;

namespace {

// MS-OXCDATA 2.4 codes NSPI returns (MS-OXNSPI 2.2.1.2).
constexpr uint32_t kSuccess = 0, kUnbindSuccess = 1, kErrorsReturned = 0x00040380, kGeneralFailure = 0x80004005,
                   kNotSupported = 0x80040102, kNotFound = 0x8004010F, kInvalidCodepage = 0x8004011E,
                   kTableTooBig = 0x80040403, kInvalidBookmark = 0x80040405, kInvalidParameter = 0x80070057,
                   kTooComplex = 0x80040117;
// MS-OXNSPI 2.2.1.8 / 2.2.1.9.
constexpr uint32_t kMidBeginningOfTable = 0, kMidCurrent = 1, kMidEndOfTable = 2;
constexpr uint32_t kMidUnresolved = 0, kMidAmbiguous = 1;
// Flags (MS-OXNSPI 2.2.1.11 - 2.2.1.13).
constexpr uint32_t kEphId = 0x2, kAddressCreationTemplates = 0x2, kUnicodeStrings = 0x4,
                   kUnicodeProptypes = 0x80000000;
constexpr uint32_t kSortTypeDisplayName = 0;
// The most rows one call returns or one explicit table holds.
constexpr size_t kMaxRows = 10000;

constexpr uint16_t kTypeString8 = 0x001E, kTypeString = 0x001F, kTypeMvString8 = 0x101E, kTypeMvString = 0x101F,
                   kTypeError = 0x000A, kTypeUnspecified = 0x0000;

// Properties computed from an object's identity rather than stored (MS-OXOABK 2.2.3).
constexpr uint32_t kPidEntryId = 0x0FFF0102, kPidRecordKey = 0x0FF90102, kPidInstanceKey = 0x0FF60102,
                   kPidSearchKey = 0x300B0102, kPidMappingSignature = 0x0FF80102, kPidTemplateId = 0x39020102,
                   kPidObjectType = 0x0FFE0003, kPidDisplayType = 0x39000003, kPidDisplayTypeEx = 0x39050003,
                   kPidContainerId = 0xFFFD0003, kPidContainerFlags = 0x36000003, kPidDepth = 0x30050003,
                   kPidDisplayName = 0x3001001F, kPidIsMaster = 0xFFFB000B;
constexpr uint32_t kComputedTags[] = {kPidEntryId,    kPidRecordKey,     kPidInstanceKey, kPidSearchKey,
                                      kPidMappingSignature, kPidTemplateId, kPidObjectType, kPidDisplayType,
                                      kPidDisplayTypeEx, kPidContainerId};
// NspiQueryRows' list when pPropTags is NULL (MS-OXNSPI 3.1.4.1.8 constraint 6).
constexpr uint32_t kDefaultColumns[] = {0xFFFD0003, 0x0FFE0003, 0x39000003, 0x3001001E,
                                        0x3A1A001E, 0x3A18001E, 0x3A19001E};

uint32_t with_type(uint32_t tag, uint16_t type) { return (tag & 0xFFFF0000u) | type; }

PropertyValue error_value(uint32_t tag, uint32_t code) {
  PropertyValue v;
  v.prop_tag = with_type(tag, kTypeError);
  v.value = static_cast<int32_t>(code);
  return v;
}

Guid random_guid() {
  std::random_device rd;
  Guid g;
  for (size_t i = 0; i < g.bytes.size(); i += 4) {
    uint32_t x = rd();
    for (size_t k = 0; k < 4; ++k) g.bytes[i + k] = static_cast<uint8_t>(x >> (8 * k));
  }
  return g;
}

Bytes permanent_entry_id(uint32_t display_type, const std::string& dn) {
  PermanentEntryId id;
  id.provider_uid = kGuidNspi;
  id.display_type = display_type;
  id.distinguished_name = dn;
  return id.encode();
}

// Values as the request asks for them: strings in Unicode or in the code page, PtypUnspecified
// answered in the stored type.
PropertyValue shape(PropertyValue v, uint32_t requested_tag, uint32_t code_page) {
  uint16_t want = requested_tag & 0xFFFF;
  uint16_t have = v.prop_tag & 0xFFFF;
  if (want == kTypeUnspecified || want == have) return v;
  if (have == kTypeString && want == kTypeString8) {
    v.value = utf8_to_code_page(std::get<std::string>(v.value), code_page);
  } else if (have == kTypeMvString && want == kTypeMvString8) {
    for (std::string& s : std::get<std::vector<std::string>>(v.value)) s = utf8_to_code_page(s, code_page);
  } else {
    return error_value(requested_tag, kNotFound);
  }
  v.prop_tag = requested_tag;
  return v;
}

// The value of one property of an object, or a PtypErrorCode NotFound value.
PropertyValue object_value(const store::Directory& dir, const AbObject& o, uint32_t tag, uint32_t flags,
                           uint32_t code_page) {
  PropertyValue v;
  v.prop_tag = tag;
  uint16_t id = tag >> 16;
  auto binary = [&](Bytes b) {
    v.prop_tag = with_type(tag, 0x0102);
    v.value = std::move(b);
  };
  auto integer = [&](uint32_t x) {
    v.prop_tag = with_type(tag, 0x0003);
    v.value = static_cast<int32_t>(x);
  };
  switch (with_type(tag, 0)) {
    case kPidEntryId & 0xFFFF0000u:
      if (flags & kEphId) {
        EphemeralEntryId e;
        e.provider_uid = dir.server_guid();
        e.display_type = o.display_type;
        e.mid = o.mid;
        binary(e.encode());
      } else {
        binary(permanent_entry_id(o.display_type, o.dn));
      }
      break;
    case kPidRecordKey & 0xFFFF0000u:
    case kPidTemplateId & 0xFFFF0000u: binary(permanent_entry_id(o.display_type, o.dn)); break;
    case kPidInstanceKey & 0xFFFF0000u: {
      Bytes b(4);
      for (int k = 0; k < 4; ++k) b[static_cast<size_t>(k)] = static_cast<uint8_t>(o.mid >> (8 * k));
      binary(std::move(b));
      break;
    }
    case kPidSearchKey & 0xFFFF0000u: {
      // MS-OXOABK 2.2.3.6: "EX:" and the upper-cased DN, NUL-terminated.
      std::string key = "EX:" + o.dn;
      for (char& c : key)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      Bytes b(key.begin(), key.end());
      b.push_back(0);
      binary(std::move(b));
      break;
    }
    case kPidMappingSignature & 0xFFFF0000u: binary(Bytes(kGuidNspi.bytes.begin(), kGuidNspi.bytes.end())); break;
    case kPidObjectType & 0xFFFF0000u: integer(o.object_type); break;
    case kPidDisplayType & 0xFFFF0000u:
    case kPidDisplayTypeEx & 0xFFFF0000u: integer(o.display_type); break;
    case kPidContainerId & 0xFFFF0000u: integer(o.container_id); break;
    default: {
      const PropertyValue* stored = o.find(id);
      if (stored == nullptr) return error_value(tag, kNotFound);
      v = *stored;
    }
  }
  return shape(std::move(v), tag, code_page);
}

// The tags an object has values for, as NspiGetPropList reports them.
std::vector<uint32_t> object_tags(const AbObject& o, bool unicode) {
  std::vector<uint32_t> tags(std::begin(kComputedTags), std::end(kComputedTags));
  for (const PropertyValue& p : o.props) {
    uint32_t t = p.prop_tag;
    if (!unicode && (t & 0xFFFF) == kTypeString) t = with_type(t, kTypeString8);
    if (!unicode && (t & 0xFFFF) == kTypeMvString) t = with_type(t, kTypeMvString8);
    tags.push_back(t);
  }
  return tags;
}

PropertyRow object_row(const store::Directory& dir, const AbObject* o, const std::vector<uint32_t>& tags,
                       uint32_t flags, uint32_t code_page, bool* missing = nullptr) {
  PropertyRow row;
  for (uint32_t tag : tags) {
    PropertyValue v = o ? object_value(dir, *o, tag, flags, code_page) : error_value(tag, kNotFound);
    if ((v.prop_tag & 0xFFFF) == kTypeError && missing) *missing = true;
    row.props.push_back(std::move(v));
  }
  return row;
}

// ---- STAT positioning (MS-OXNSPI 3.1.4.5) -----------------------------------------------------------

// The row index (0..n, n = past the end) the STAT's CurrentRec, NumPos and TotalRecs name, before
// Delta; nullopt when CurrentRec names no row of the table.
std::optional<size_t> initial_position(const std::vector<uint32_t>& rows, const Stat& stat) {
  size_t n = rows.size();
  switch (stat.current_rec) {
    case kMidBeginningOfTable: return 0;
    case kMidEndOfTable: return n;
    case kMidCurrent: {
      if (stat.total_recs == 0) return 0;
      uint64_t pos = uint64_t{n} * stat.num_pos / stat.total_recs;
      return static_cast<size_t>(std::min<uint64_t>(pos, n));
    }
    default: {
      auto it = std::find(rows.begin(), rows.end(), stat.current_rec);
      if (it == rows.end()) return std::nullopt;
      return static_cast<size_t>(it - rows.begin());
    }
  }
}

size_t move_by(size_t pos, int64_t delta, size_t n) {
  int64_t p = static_cast<int64_t>(pos) + delta;
  return static_cast<size_t>(std::clamp<int64_t>(p, 0, static_cast<int64_t>(n)));
}

void report_position(Stat& stat, const std::vector<uint32_t>& rows, size_t pos) {
  stat.current_rec = pos < rows.size() ? rows[pos] : kMidEndOfTable;
  stat.num_pos = static_cast<uint32_t>(pos);
  stat.total_recs = static_cast<uint32_t>(rows.size());
  stat.delta = 0;
}

// ---- restrictions (MS-OXNSPI 2.2.2.7 - 2.2.2.18) ---------------------------------------------------

std::string fold(std::string_view s) { return store::ascii_lower(s); }

// The object's value of tag as text, for string comparisons; nullopt when it has none.
std::optional<std::string> text_value(const store::Directory& dir, const AbObject& o, uint32_t tag) {
  uint16_t type = tag & 0xFFFF;
  uint32_t unicode_tag = (type == kTypeString8 || type == kTypeUnspecified) ? with_type(tag, kTypeString) : tag;
  PropertyValue v = object_value(dir, o, unicode_tag, 0, kCpWinUnicode);
  if (const auto* s = std::get_if<std::string>(&v.value)) return *s;
  if (const auto* mv = std::get_if<std::vector<std::string>>(&v.value)) {
    std::string joined;
    for (const auto& s : *mv) joined += s + "\n";
    return joined;
  }
  return std::nullopt;
}

std::string restriction_text(const PropertyValue& v, uint32_t code_page) {
  const auto* s = std::get_if<std::string>(&v.value);
  if (s == nullptr) throw std::invalid_argument("not a string");
  return (v.prop_tag & 0xFFFF) == kTypeString8 ? code_page_to_utf8(*s, code_page) : *s;
}

bool matches(const store::Directory& dir, const AbObject& o, const Restriction& r, uint32_t code_page, int depth) {
  if (depth > 32) throw std::length_error("restriction nests too deep");
  switch (r.rt) {
    case kResAnd:
      for (const Restriction& c : r.children)
        if (!matches(dir, o, c, code_page, depth + 1)) return false;
      return true;
    case kResOr:
      for (const Restriction& c : r.children)
        if (matches(dir, o, c, code_page, depth + 1)) return true;
      return false;
    case kResNot: return r.children.empty() || !matches(dir, o, r.children[0], code_page, depth + 1);
    case kResExist: {
      PropertyValue v = object_value(dir, o, r.prop_tag, 0, kCpWinUnicode);
      return (v.prop_tag & 0xFFFF) != kTypeError;
    }
    case kResContent: {
      if (!r.prop) return false;
      auto have = text_value(dir, o, r.prop_tag);
      if (!have) return false;
      std::string want = restriction_text(*r.prop, code_page);
      bool ignore_case = r.op & 0x00010000;  // FL_IGNORECASE
      std::string h = ignore_case ? fold(*have) : *have, w = ignore_case ? fold(want) : want;
      switch (r.op & 0xFFFF) {
        case 0: return h == w;                          // FL_FULLSTRING
        case 1: return h.find(w) != std::string::npos;  // FL_SUBSTRING
        case 2: return h.compare(0, w.size(), w) == 0;  // FL_PREFIX
        default: throw std::invalid_argument("fuzzy level");
      }
    }
    case kResProperty: {
      if (!r.prop) return false;
      PropertyValue have = object_value(dir, o, with_type(r.prop_tag, kTypeUnspecified), 0, kCpWinUnicode);
      int cmp = 0;
      if (const auto* hs = std::get_if<std::string>(&have.value)) {
        std::string a = fold(*hs), b = fold(restriction_text(*r.prop, code_page));
        cmp = a < b ? -1 : a > b ? 1 : 0;
      } else if (const auto* hi = std::get_if<int32_t>(&have.value); hi && (have.prop_tag & 0xFFFF) == 0x0003) {
        const auto* bi = std::get_if<int32_t>(&r.prop->value);
        if (!bi) return false;
        cmp = *hi < *bi ? -1 : *hi > *bi ? 1 : 0;
      } else {
        return false;
      }
      switch (r.op) {
        case 0: return cmp < 0;
        case 1: return cmp <= 0;
        case 2: return cmp > 0;
        case 3: return cmp >= 0;
        case 4: return cmp == 0;
        case 5: return cmp != 0;
        default: throw std::invalid_argument("relop");
      }
    }
    default: throw std::invalid_argument("restriction type");
  }
}

// ---- ANR (MS-OXNSPI 3.1.4.7) -------------------------------------------------------------------------
// Local policy: an exact, case-insensitive match on the account, SMTP address (with or without
// "SMTP:"), DN or display name wins; failing that, a prefix of the display name, given name,
// surname, account or SMTP address.
uint32_t resolve(const store::Directory& dir, const std::vector<uint32_t>& rows, std::string_view text) {
  std::string s = fold(text);
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s.rfind("smtp:", 0) == 0) s.erase(0, 5);
  if (s.empty()) return kMidUnresolved;
  std::vector<uint32_t> exact, prefix;
  for (uint32_t mid : rows) {
    const AbObject* o = dir.find(mid);
    if (!o) continue;
    auto field = [&](uint32_t tag) { return fold(text_value(dir, *o, tag).value_or("")); };
    std::string smtp = field(0x39FE001F), name = field(0x3001001F);
    if (s == fold(o->account) || s == smtp || s == fold(o->dn) || s == name) {
      exact.push_back(mid);
      continue;
    }
    for (const std::string& f : {name, field(0x3A06001F), field(0x3A11001F), fold(o->account), smtp})
      if (!f.empty() && f.compare(0, s.size(), s) == 0) {
        prefix.push_back(mid);
        break;
      }
  }
  const std::vector<uint32_t>& hits = exact.empty() ? prefix : exact;
  if (hits.empty()) return kMidUnresolved;
  return hits.size() == 1 ? hits[0] : kMidAmbiguous;
}

template <class T>
Bytes reply(const T& response) {
  return ndr::encode_stub(response);
}

std::vector<uint32_t> tags_or(const std::optional<PropertyTagArray>& tags, std::vector<uint32_t> fallback) {
  return tags ? tags->values : std::move(fallback);
}

}  // namespace

const NspiService::Session& NspiService::session(const Guid& handle, const CallerIdentity& caller) const {
  auto it = sessions_.find(handle);
  // The RPC runtime rejects a context handle it did not hand out on this association (C706 2.3.1).
  if (it == sessions_.end() || it->second.connection != caller.connection)
    throw RpcFault(kFaultContextMismatch, "unknown NSPI context handle");
  return it->second;
}

void NspiService::connection_closed(uint64_t connection) {
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.connection == connection; });
}

Bytes NspiService::handle(uint16_t opnum, ByteView stub, const CallerIdentity& caller) {
  std::optional<Bytes> out;
  // Every method of the interface is decoded, answered and encoded the same way; a malformed request
  // is a fault (decode_stub throws), a well-formed one is answered.
  std::apply(
      [&](auto... method) {
        auto serve = [&](auto m) {
          using Method = decltype(m);
          if (out || Method::kOpnum != opnum) return;
          out = ndr::encode_stub(answer(ndr::decode_stub<typename Method::Request>(stub), caller));
        };
        (serve(method), ...);
      },
      ndr::NspiMethods{});
  if (!out) throw RpcFault(kFaultOpRangeError, "NSPI has no opnum " + std::to_string(opnum));
  return std::move(*out);
}

std::vector<uint32_t> NspiService::default_columns(bool unicode) {
  std::vector<uint32_t> defaults(std::begin(kDefaultColumns), std::end(kDefaultColumns));
  if (unicode)
    for (uint32_t& t : defaults)
      if ((t & 0xFFFF) == kTypeString8) t = with_type(t, kTypeString);
  return defaults;
}

NspiBind::Response NspiService::answer(const NspiBind::Request& rq, const CallerIdentity& caller) {
  NspiBind::Response rs;
  // MS-OXNSPI 3.1.4.1.1 constraints 1 and 5.
  if (rq.stat.code_page == kCpWinUnicode || !code_page_supported(rq.stat.code_page)) {
    rs.result = kInvalidCodepage;
    return rs;
  }
  Guid handle = random_guid();
  sessions_[handle] = Session{caller.connection, rq.stat.code_page};
  rs.context_handle.uuid = handle;
  if (rq.server_guid) rs.server_guid = dir_.server_guid();
  return rs;
}

NspiUnbind::Response NspiService::answer(const NspiUnbind::Request& rq, const CallerIdentity& caller) {
  session(rq.context_handle.uuid, caller);
  sessions_.erase(rq.context_handle.uuid);
  NspiUnbind::Response rs;  // a null context handle
  rs.result = kUnbindSuccess;
  return rs;
}

NspiUpdateStat::Response NspiService::answer(const NspiUpdateStat::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiUpdateStat::Response rs;
  rs.stat = rq.stat;
  const std::vector<uint32_t>* rows = dir_.rows(rq.stat.container_id);
  if (!rows) return rs.result = kInvalidBookmark, rs;
  auto start = initial_position(*rows, rq.stat);
  if (!start) return rs.result = kNotFound, rs;
  size_t end = move_by(*start, rq.stat.delta, rows->size());
  report_position(rs.stat, *rows, end);
  if (rq.delta) rs.delta = static_cast<int32_t>(static_cast<int64_t>(end) - static_cast<int64_t>(*start));
  return rs;
}

NspiQueryRows::Response NspiService::answer(const NspiQueryRows::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiQueryRows::Response rs;
  rs.stat = rq.stat;
  std::vector<uint32_t> tags = tags_or(rq.prop_tags, {std::begin(kDefaultColumns), std::end(kDefaultColumns)});
  PropertyRowSet set;
  if (rq.explicit_table) {
    size_t n = std::min<size_t>({rq.explicit_table->size(), rq.count, kMaxRows});
    for (size_t i = 0; i < n; ++i)
      set.rows.push_back(object_row(dir_, dir_.find((*rq.explicit_table)[i]), tags, rq.flags, rq.stat.code_page));
  } else {
    const std::vector<uint32_t>* rows = dir_.rows(rq.stat.container_id);
    if (!rows) return rs.result = kInvalidBookmark, rs;
    auto start = initial_position(*rows, rq.stat);
    if (!start) return rs.result = kNotFound, rs;
    size_t pos = move_by(*start, rq.stat.delta, rows->size());
    size_t n = std::min<size_t>({rows->size() - pos, rq.count, kMaxRows});
    for (size_t i = 0; i < n; ++i)
      set.rows.push_back(object_row(dir_, dir_.find((*rows)[pos + i]), tags, rq.flags, rq.stat.code_page));
    report_position(rs.stat, *rows, pos + n);
  }
  rs.rows = std::move(set);
  return rs;
}

NspiSeekEntries::Response NspiService::answer(const NspiSeekEntries::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiSeekEntries::Response rs;
  rs.stat = rq.stat;
  // MS-OXNSPI 3.1.4.1.9: display-name order, and a PidTagDisplayName target only.
  if (rq.stat.sort_type != kSortTypeDisplayName || (rq.target.prop_tag >> 16) != (kPidDisplayName >> 16))
    return rs.result = kGeneralFailure, rs;
  std::string target = fold(restriction_text(rq.target, rq.stat.code_page));
  std::vector<uint32_t> table;
  if (rq.explicit_table)
    table = rq.explicit_table->values;
  else if (const auto* rows = dir_.rows(rq.stat.container_id))
    table = *rows;
  else
    return rs.result = kInvalidBookmark, rs;
  size_t pos = 0;
  while (pos < table.size()) {
    const AbObject* o = dir_.find(table[pos]);
    if (o && fold(o->display_name()) >= target) break;
    ++pos;
  }
  if (pos == table.size()) return rs.result = kNotFound, rs;
  report_position(rs.stat, table, pos);
  if (rq.prop_tags) {
    PropertyRowSet set;
    for (size_t i = pos; i < table.size() && set.rows.size() < kMaxRows; ++i)
      set.rows.push_back(object_row(dir_, dir_.find(table[i]), rq.prop_tags->values, 0, rq.stat.code_page));
    rs.rows = std::move(set);
  }
  return rs;
}

NspiGetMatches::Response NspiService::answer(const NspiGetMatches::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiGetMatches::Response rs;
  rs.stat = rq.stat;
  if (rq.prop_name) return rs.result = kNotSupported, rs;  // property-value tables: no link attributes here
  const std::vector<uint32_t>* rows = dir_.rows(rq.stat.container_id);
  if (!rows) return rs.result = kInvalidBookmark, rs;
  PropertyTagArray mids;
  try {
    for (uint32_t mid : *rows) {
      const AbObject* o = dir_.find(mid);
      if (o && (!rq.filter || matches(dir_, *o, *rq.filter, rq.stat.code_page, 0))) mids.values.push_back(mid);
    }
  } catch (const std::exception&) {
    return rs.result = kTooComplex, rs;
  }
  if (mids.values.size() > rq.requested) return rs.result = kTableTooBig, rs;
  if (rq.prop_tags) {
    PropertyRowSet set;
    for (uint32_t mid : mids.values)
      set.rows.push_back(object_row(dir_, dir_.find(mid), rq.prop_tags->values, 0, rq.stat.code_page));
    rs.rows = std::move(set);
  }
  rs.mids = std::move(mids);
  return rs;
}

NspiDNToMId::Response NspiService::answer(const NspiDNToMId::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiDNToMId::Response rs;
  PropertyTagArray mids;
  for (const std::string& dn : rq.names.strings) {
    const AbObject* o = dir_.find_dn(dn);
    mids.values.push_back(o ? o->mid : 0);
  }
  rs.tags = std::move(mids);
  return rs;
}

NspiGetPropList::Response NspiService::answer(const NspiGetPropList::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiGetPropList::Response rs;
  const AbObject* o = dir_.find(rq.mid);
  if (!o) return rs.result = kInvalidParameter, rs;
  rs.tags = PropertyTagArray{object_tags(*o, rq.code_page == kCpWinUnicode)};
  return rs;
}

NspiGetProps::Response NspiService::answer(const NspiGetProps::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiGetProps::Response rs;
  if (!dir_.container(rq.stat.container_id)) return rs.result = kInvalidBookmark, rs;
  const AbObject* o = rq.stat.current_rec > kMidEndOfTable ? dir_.find(rq.stat.current_rec) : nullptr;
  std::vector<uint32_t> tags;
  if (rq.prop_tags)
    tags = rq.prop_tags->values;
  else if (o)
    tags = object_tags(*o, rq.stat.code_page == kCpWinUnicode);
  else
    return rs.result = kNotFound, rs;
  bool missing = false;
  rs.row = object_row(dir_, o, tags, rq.flags, rq.stat.code_page, &missing);
  rs.result = missing ? kErrorsReturned : kSuccess;
  return rs;
}

NspiCompareMIds::Response NspiService::answer(const NspiCompareMIds::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiCompareMIds::Response rs;
  const std::vector<uint32_t>* rows = dir_.rows(rq.stat.container_id);
  if (!rows) return rs.result = kInvalidBookmark, rs;
  auto a = std::find(rows->begin(), rows->end(), rq.mid1), b = std::find(rows->begin(), rows->end(), rq.mid2);
  if (a == rows->end() || b == rows->end()) return rs.result = kGeneralFailure, rs;
  rs.comparison = static_cast<int32_t>(a - b);
  return rs;
}

NspiGetSpecialTable::Response NspiService::answer(const NspiGetSpecialTable::Request& rq,
                                                  const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiGetSpecialTable::Response rs;
  rs.version = rq.version;
  PropertyRowSet set;
  if (rq.flags & kAddressCreationTemplates) {
    // No address creation templates are kept: an empty table (constraint 11).
    rs.rows = std::move(set);
    return rs;
  }
  bool unicode = rq.flags & kUnicodeStrings;
  if (rq.version != dir_.hierarchy_version()) {
    for (const AbContainer& c : dir_.containers()) {
      PropertyRow row;
      auto add = [&](uint32_t tag, PropValueUnion v) {
        PropertyValue p;
        p.prop_tag = tag;
        p.value = std::move(v);
        row.props.push_back(std::move(p));
      };
      add(kPidEntryId, permanent_entry_id(store::kDtContainer, c.dn));
      add(kPidContainerFlags, static_cast<int32_t>(c.flags));
      add(kPidDepth, static_cast<int32_t>(c.depth));
      add(kPidContainerId, static_cast<int32_t>(c.id));
      if (unicode)
        add(kPidDisplayName, c.display_name);
      else
        add(with_type(kPidDisplayName, kTypeString8), utf8_to_code_page(c.display_name, rq.stat.code_page));
      add(kPidIsMaster, static_cast<uint16_t>(c.is_master));
      set.rows.push_back(std::move(row));
    }
  }
  rs.version = dir_.hierarchy_version();
  rs.rows = std::move(set);
  return rs;
}

NspiQueryColumns::Response NspiService::answer(const NspiQueryColumns::Request& rq, const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiQueryColumns::Response rs;
  std::vector<uint32_t> all;
  for (const AbContainer& c : dir_.containers())
    if (const auto* rows = dir_.rows(c.id))
      for (uint32_t mid : *rows)
        for (uint32_t t : object_tags(*dir_.find(mid), rq.flags & kUnicodeProptypes))
          if (std::find(all.begin(), all.end(), t) == all.end()) all.push_back(t);
  rs.tags = PropertyTagArray{std::move(all)};
  return rs;
}

NspiResolveNames::Response NspiService::answer(const NspiResolveNames::Request& rq, const CallerIdentity& caller) {
  std::vector<std::string> names;
  for (const std::string& s : rq.names.strings) names.push_back(code_page_to_utf8(s, rq.stat.code_page));
  NspiResolveNamesW::Response wide = resolve_names(rq.handle.uuid, rq.stat, rq.prop_tags, names, false, caller);
  NspiResolveNames::Response rs;
  rs.mids = std::move(wide.mids);
  rs.rows = std::move(wide.rows);
  rs.result = wide.result;
  return rs;
}

NspiResolveNamesW::Response NspiService::answer(const NspiResolveNamesW::Request& rq, const CallerIdentity& caller) {
  return resolve_names(rq.handle.uuid, rq.stat, rq.prop_tags, rq.names.strings, true, caller);
}

NspiResolveNamesW::Response NspiService::resolve_names(const Guid& handle, const Stat& stat,
                                                       const std::optional<PropertyTagArray>& prop_tags,
                                                       const std::vector<std::string>& names, bool unicode,
                                                       const CallerIdentity& caller) {
  session(handle, caller);
  NspiResolveNamesW::Response rs;
  const std::vector<uint32_t>* rows = dir_.rows(stat.container_id);
  if (!rows) return rs.result = kInvalidBookmark, rs;
  std::vector<uint32_t> tags = tags_or(prop_tags, default_columns(unicode));
  PropertyTagArray mids;
  PropertyRowSet set;
  for (const std::string& name : names) {
    uint32_t mid = resolve(dir_, *rows, name);
    mids.values.push_back(mid);
    // One row per resolved name, in the order of the names.
    if (mid > kMidEndOfTable) set.rows.push_back(object_row(dir_, dir_.find(mid), tags, 0, stat.code_page));
  }
  rs.mids = std::move(mids);
  rs.rows = std::move(set);
  return rs;
}

NspiResortRestriction::Response NspiService::answer(const NspiResortRestriction::Request& rq,
                                                    const CallerIdentity& caller) {
  session(rq.handle.uuid, caller);
  NspiResortRestriction::Response rs;
  rs.stat = rq.stat;
  rs.result = kNotSupported;
  return rs;
}

// The directory is read-only and keeps no templates or named properties: these answer the spec's
// "not supported" rather than pretending to have done something.
NspiModProps::Response NspiService::answer(const NspiModProps::Request&, const CallerIdentity&) {
  NspiModProps::Response rs;
  rs.result = kNotSupported;
  return rs;
}
NspiGetTemplateInfo::Response NspiService::answer(const NspiGetTemplateInfo::Request&, const CallerIdentity&) {
  NspiGetTemplateInfo::Response rs;
  rs.result = kNotSupported;
  return rs;
}
NspiModLinkAtt::Response NspiService::answer(const NspiModLinkAtt::Request&, const CallerIdentity&) {
  NspiModLinkAtt::Response rs;
  rs.result = kNotSupported;
  return rs;
}
NspiGetNamesFromIDs::Response NspiService::answer(const NspiGetNamesFromIDs::Request&, const CallerIdentity&) {
  NspiGetNamesFromIDs::Response rs;
  rs.result = kNotSupported;
  return rs;
}
NspiGetIDsFromNames::Response NspiService::answer(const NspiGetIDsFromNames::Request&, const CallerIdentity&) {
  NspiGetIDsFromNames::Response rs;
  rs.result = kNotSupported;
  return rs;
}

Bytes RfrService::handle(uint16_t opnum, ByteView stub, const CallerIdentity&) {
  using namespace ndr::rfr;
  switch (opnum) {
    case RfrGetNewDSA::kOpnum: {
      auto rq = ndr::decode_stub<RfrGetNewDSA::Request>(stub);
      RfrGetNewDSA::Response rs;
      // MS-OXABREF 3.1.4.1: this server is the NSPI server for every user it knows.
      rs.unused = rq.unused;
      if (rq.server) rs.server = std::optional<std::string>(fqdn_);
      return ndr::encode_stub(rs);
    }
    case RfrGetFQDNFromServerDN::kOpnum: {
      auto rq = ndr::decode_stub<RfrGetFQDNFromServerDN::Request>(stub);
      RfrGetFQDNFromServerDN::Response rs;
      std::string dn = store::ascii_lower(rq.server_dn), ours = store::ascii_lower(dir_.server_dn());
      // The server's own DN, or a DN below it (its mailbox database).
      if (dn == ours || dn.rfind(ours + "/", 0) == 0)
        rs.server_fqdn = fqdn_;
      else
        rs.result = kNotFound;
      return ndr::encode_stub(rs);
    }
    default: throw RpcFault(kFaultOpRangeError, "RFR has no opnum " + std::to_string(opnum));
  }
}

}  // namespace exmapi::server::nspi
