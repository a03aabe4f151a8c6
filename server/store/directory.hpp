// The address book in the store (MS-OXOABK objects as MS-OXNSPI serves them): containers, the
// objects they list, and each object's properties. `--seed` writes the sample organisation of
// sample_org.hpp; the server loads the directory once at start.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ndr/nspi_types.hpp"
#include "server/store/database.hpp"

namespace exmapi::server::store {

// MS-OXNSPI 2.2.1.3 display types and MS-OXCDATA object types used here.
constexpr uint32_t kDtMailUser = 0x00000000;
constexpr uint32_t kDtContainer = 0x00000100;
constexpr uint32_t kObjectTypeMailUser = 6;  // MAPI_MAILUSER

// One address book object: its Minimal Entry ID, DN, types and stored properties. Properties that
// follow from these (entry IDs, keys, types) are computed by the NSPI service, not stored.
struct AbObject {
  uint32_t mid = 0;
  std::string dn;
  uint32_t object_type = 0, display_type = 0;
  uint32_t container_id = 0;
  std::string account;
  std::vector<ndr::nspi::PropertyValue> props;  // strings as PtypString (UTF-8 here)
  const ndr::nspi::PropertyValue* find(uint32_t prop_id) const;  // by the tag's high 16 bits
  std::string display_name() const;
};

// A row of the address book hierarchy table (MS-OXNSPI 3.1.4.4.3.1, MS-OXOABK 2.2.2).
struct AbContainer {
  uint32_t id = 0;  // PidTagAddressBookContainerId; the GAL is 0
  std::string dn;   // addresslist-dn; "/" for the GAL (gal-addrlist-dn)
  std::string display_name;
  uint32_t flags = 0;  // PidTagContainerFlags
  uint32_t depth = 0;
  bool is_master = false;
};

class Directory {
 public:
  // Creates the address book tables and writes the sample organisation.
  static void seed(Database& db);
  // Loads the address book; fails with a StoreError naming the cause when the file holds none.
  explicit Directory(Database& db);

  const Guid& server_guid() const noexcept { return server_guid_; }
  uint32_t hierarchy_version() const noexcept { return hierarchy_version_; }
  const std::string& server_dn() const noexcept { return server_dn_; }
  const std::vector<AbContainer>& containers() const noexcept { return containers_; }
  const AbContainer* container(uint32_t id) const;
  // The container's rows in SortTypeDisplayName order.
  const std::vector<uint32_t>* rows(uint32_t container_id) const;
  const AbObject* find(uint32_t mid) const;
  const AbObject* find_dn(std::string_view dn) const;  // DNs compare case-insensitively
  const AbObject* find_account(std::string_view account) const;
  std::optional<std::string> password_of(std::string_view account) const;

 private:
  Guid server_guid_;
  uint32_t hierarchy_version_ = 0;
  std::string server_dn_;
  std::vector<AbContainer> containers_;
  std::map<uint32_t, std::vector<uint32_t>> rows_;
  std::map<uint32_t, AbObject> objects_;
  std::map<std::string, uint32_t> by_dn_;  // lower-cased DN
  std::map<std::string, std::string> passwords_;
};

// ASCII case folding for DNs, SMTP addresses and account names (all ASCII by construction).
std::string ascii_lower(std::string_view s);

}  // namespace exmapi::server::store
