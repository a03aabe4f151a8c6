#include "server/store/directory.hpp"

#include <algorithm>
#include <random>

#include "server/store/sample_org.hpp"
#include "base/text.hpp"

namespace exmapi::server::store {

namespace nspi = ndr::nspi;

namespace {

// Property tags the seed stores (MS-OXPROPS; strings as PtypString).
constexpr uint32_t kDisplayName = 0x3001001F, kTransmittableDisplayName = 0x3A20001F, kGivenName = 0x3A06001F,
                   kSurname = 0x3A11001F, kTitle = 0x3A17001F, kDepartmentName = 0x3A18001F,
                   kOfficeLocation = 0x3A19001F, kCompanyName = 0x3A16001F, kBusinessTelephone = 0x3A08001F,
                   kPrimaryTelephone = 0x3A1A001F, kAccount = 0x3A00001F, kSmtpAddress = 0x39FE001F,
                   kEmailAddress = 0x3003001F, kAddressType = 0x3002001F, kProxyAddresses = 0x800F101F,
                   kHomeMessageDatabase = 0x8006001F;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE server_config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ab_container (
  container_id INTEGER PRIMARY KEY,  -- PidTagAddressBookContainerId; the GAL is 0
  dn TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  flags INTEGER NOT NULL,
  depth INTEGER NOT NULL,
  is_master INTEGER NOT NULL
);
CREATE TABLE ab_object (
  mid INTEGER PRIMARY KEY,           -- Minimal Entry ID (MS-OXNSPI 2.2.9.1)
  dn TEXT NOT NULL UNIQUE COLLATE NOCASE,
  object_type INTEGER NOT NULL,      -- PidTagObjectType
  display_type INTEGER NOT NULL,     -- PidTagDisplayType
  container_id INTEGER NOT NULL REFERENCES ab_container(container_id),
  account TEXT UNIQUE COLLATE NOCASE,
  password TEXT                      -- what NTLM checks; sample data only
);
CREATE TABLE ab_prop (
  mid INTEGER NOT NULL REFERENCES ab_object(mid),
  tag INTEGER NOT NULL,
  idx INTEGER NOT NULL,              -- position in a multivalued property, else 0
  value,                             -- INTEGER, TEXT (UTF-8) or BLOB by the tag's type
  PRIMARY KEY (mid, tag, idx)
);
)sql";

// Minimal Entry IDs below 0x10 are positioning and ANR signals (MS-OXNSPI 2.2.9.1).
constexpr uint32_t kFirstMid = 0x1000;

std::string random_guid_text() {
  std::random_device rd;
  Guid g;
  for (size_t i = 0; i < g.bytes.size(); i += 4) {
    uint32_t x = rd();
    for (size_t k = 0; k < 4; ++k) g.bytes[i + k] = static_cast<uint8_t>(x >> (8 * k));
  }
  return g.to_string();
}

void put(Statement& s, uint32_t mid, uint32_t tag, int idx, std::string_view value) {
  s.reset();
  s.bind(1, int64_t{mid}).bind(2, int64_t{tag}).bind(3, int64_t{idx}).bind(4, value).run();
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

const nspi::PropertyValue* AbObject::find(uint32_t prop_id) const {
  for (const auto& p : props)
    if ((p.prop_tag >> 16) == prop_id) return &p;
  return nullptr;
}

std::string AbObject::display_name() const {
  const nspi::PropertyValue* p = find(kDisplayName >> 16);
  const std::string* s = p ? std::get_if<std::string>(&p->value) : nullptr;
  return s ? *s : std::string();
}

void Directory::seed(Database& db) {
  db.transaction([&] {
    db.exec(kSchema);
    std::string org(sample::kOrganization), group(sample::kAdministrativeGroup);
    std::string server_dn = "/o=" + org + "/ou=" + group + "/cn=Configuration/cn=Servers/cn=EXMAPI";
    Statement config(db, "INSERT INTO server_config (key, value) VALUES (?, ?)");
    for (auto [k, v] : {std::pair<std::string, std::string>{"server_guid", random_guid_text()},
                        {"server_dn", server_dn},
                        {"hierarchy_version", "1"}}) {
      config.reset();
      config.bind(1, k).bind(2, v).run();
    }
    // The GAL: AB_RECIPIENTS | AB_UNMODIFIABLE (MS-OXOABK 2.2.2.1), depth 0, not a master.
    Statement gal(db, "INSERT INTO ab_container VALUES (0, '/', '', 9, 0, 0)");
    gal.run();

    Statement obj(db, "INSERT INTO ab_object VALUES (?, ?, ?, ?, 0, ?, ?)");
    Statement prop(db, "INSERT INTO ab_prop VALUES (?, ?, ?, ?)");
    uint32_t mid = kFirstMid;
    for (const sample::User& u : sample::kUsers) {
      std::string dn = sample::user_dn(u.account);
      std::string smtp = std::string(u.account) + "@" + std::string(sample::kMailDomain);
      obj.reset();
      obj.bind(1, int64_t{mid}).bind(2, dn).bind(3, int64_t{kObjectTypeMailUser}).bind(4, int64_t{kDtMailUser});
      obj.bind(5, u.account).bind(6, u.password).run();
      for (auto [tag, value] : {std::pair<uint32_t, std::string_view>{kDisplayName, u.display_name},
                                {kTransmittableDisplayName, u.display_name},
                                {kGivenName, u.given_name},
                                {kSurname, u.surname},
                                {kTitle, u.title},
                                {kDepartmentName, u.department},
                                {kOfficeLocation, u.office},
                                {kCompanyName, sample::kOrganization},
                                {kBusinessTelephone, u.phone},
                                {kPrimaryTelephone, u.phone},
                                {kAccount, u.account},
                                {kSmtpAddress, smtp},
                                {kEmailAddress, dn},
                                {kAddressType, "EX"}})
        put(prop, mid, tag, 0, value);
      put(prop, mid, kProxyAddresses, 0, "SMTP:" + smtp);
      put(prop, mid, kHomeMessageDatabase, 0, server_dn + "/cn=Microsoft Private MDB");
      ++mid;
    }
  });
}

Directory::Directory(Database& db) {
  for (const char* table : {"server_config", "ab_container", "ab_object", "ab_prop"})
    if (!db.has_table(table))
      throw StoreError(db.path() + ": not an exmapi store (no table " + table + "); create one with --seed");
  std::map<std::string, std::string> config;
  {
    Statement s(db, "SELECT key, value FROM server_config");
    while (s.step()) config[s.text(0)] = s.text(1);
  }
  auto guid = Guid::parse(config["server_guid"]);
  if (!guid) throw StoreError(db.path() + ": server_config.server_guid is not a GUID");
  server_guid_ = *guid;
  server_dn_ = config["server_dn"];
  hierarchy_version_ = static_cast<uint32_t>(std::stoul(config.count("hierarchy_version") ? config["hierarchy_version"] : "1"));
  {
    Statement s(db, "SELECT container_id, dn, display_name, flags, depth, is_master FROM ab_container ORDER BY container_id");
    while (s.step())
      containers_.push_back({static_cast<uint32_t>(s.integer(0)), s.text(1), s.text(2),
                             static_cast<uint32_t>(s.integer(3)), static_cast<uint32_t>(s.integer(4)),
                             s.integer(5) != 0});
  }
  {
    Statement s(db, "SELECT mid, dn, object_type, display_type, container_id, account, password FROM ab_object");
    while (s.step()) {
      AbObject o;
      o.mid = static_cast<uint32_t>(s.integer(0));
      o.dn = s.text(1);
      o.object_type = static_cast<uint32_t>(s.integer(2));
      o.display_type = static_cast<uint32_t>(s.integer(3));
      o.container_id = static_cast<uint32_t>(s.integer(4));
      o.account = s.text(5);
      if (!s.is_null(6) && !o.account.empty()) passwords_[ascii_lower(o.account)] = s.text(6);
      by_dn_[ascii_lower(o.dn)] = o.mid;
      objects_.emplace(o.mid, std::move(o));
    }
  }
  {
    Statement s(db, "SELECT mid, tag, value FROM ab_prop ORDER BY mid, tag, idx");
    while (s.step()) {
      auto it = objects_.find(static_cast<uint32_t>(s.integer(0)));
      if (it == objects_.end()) continue;
      uint32_t tag = static_cast<uint32_t>(s.integer(1));
      auto& props = it->second.props;
      nspi::PropertyValue v;
      v.prop_tag = tag;
      switch (tag & 0xFFFF) {
        case 0x0003: v.value = static_cast<int32_t>(s.integer(2)); break;
        case 0x000B: v.value = static_cast<uint16_t>(s.integer(2) != 0); break;
        case 0x001F: v.value = s.text(2); break;
        case 0x0102: v.value = s.blob(2); break;
        case 0x101F:
          if (!props.empty() && props.back().prop_tag == tag) {
            std::get<std::vector<std::string>>(props.back().value).push_back(s.text(2));
            continue;
          }
          v.value = std::vector<std::string>{s.text(2)};
          break;
        default:
          throw StoreError(db.path() + ": ab_prop holds tag " + std::to_string(tag) + " of a type the server cannot serve");
      }
      props.push_back(std::move(v));
    }
  }
  for (const AbContainer& c : containers_) {
    std::vector<uint32_t>& r = rows_[c.id];
    for (const auto& [mid, o] : objects_)
      if (o.container_id == c.id) r.push_back(mid);
    // SortTypeDisplayName (MS-OXNSPI 2.2.1.10); ties broken by MId for a stable order.
    std::sort(r.begin(), r.end(), [&](uint32_t a, uint32_t b) {
      std::string na = ascii_lower(objects_.at(a).display_name()), nb = ascii_lower(objects_.at(b).display_name());
      return na != nb ? na < nb : a < b;
    });
  }
}

const AbContainer* Directory::container(uint32_t id) const {
  for (const AbContainer& c : containers_)
    if (c.id == id) return &c;
  return nullptr;
}

const std::vector<uint32_t>* Directory::rows(uint32_t container_id) const {
  auto it = rows_.find(container_id);
  return it == rows_.end() ? nullptr : &it->second;
}

const AbObject* Directory::find(uint32_t mid) const {
  auto it = objects_.find(mid);
  return it == objects_.end() ? nullptr : &it->second;
}

const AbObject* Directory::find_dn(std::string_view dn) const {
  auto it = by_dn_.find(ascii_lower(dn));
  return it == by_dn_.end() ? nullptr : find(it->second);
}

const AbObject* Directory::find_account(std::string_view account) const {
  std::string a = ascii_lower(account);
  for (const auto& [mid, o] : objects_)
    if (ascii_lower(o.account) == a) return &o;
  return nullptr;
}

std::optional<std::string> Directory::password_of(std::string_view account) const {
  auto it = passwords_.find(ascii_lower(account));
  if (it == passwords_.end()) return std::nullopt;
  return it->second;
}

}  // namespace exmapi::server::store
