// NSPI (MS-OXNSPI) client: each method is one call<> on our NDR stubs over a Connection bound to NSPI.
// The context handle NspiBind returns is kept and passed to every later call. A method whose
// ReturnValue is an error code throws Error with that code as its status; warnings
// (ErrorsReturned 0x00040380) come back in the response.
#pragma once

#include "rpc/connection.hpp"

namespace exmapi::rpc {

class NspiClient {
 public:
  using Stat = ndr::nspi::Stat;
  using PropertyTagArray = ndr::nspi::PropertyTagArray;
  using PropertyRow = ndr::nspi::PropertyRow;
  using PropertyRowSet = ndr::nspi::PropertyRowSet;

  explicit NspiClient(Connection connection);
  explicit NspiClient(const ConnectOptions& options) : NspiClient(Connection(kNspi, options)) {}

  Connection& connection() { return connection_; }
  const ndr::ContextHandle& handle() const { return handle_; }
  bool bound() const { return !handle_.is_null(); }

  // MS-OXNSPI 3.1.4.1.1; returns the server's GUID (the provider UID of its ephemeral entry IDs).
  // `server_guid` is sent as pServerGuid when given.
  std::optional<Guid> bind(uint32_t flags, const Stat& stat, std::optional<Guid> server_guid = Guid{});
  // MS-OXNSPI 3.1.4.1.2: returns 1 when the server destroyed the handle (spec: "ReturnValue is 1").
  uint32_t unbind();

  ndr::nspi::NspiGetSpecialTable::Response get_special_table(uint32_t flags, const Stat& stat, uint32_t version = 0);
  ndr::nspi::NspiUpdateStat::Response update_stat(const Stat& stat, std::optional<int32_t> delta = {});
  ndr::nspi::StatRowsResponse query_rows(uint32_t flags, const Stat& stat, uint32_t count,
                                         std::optional<PropertyTagArray> prop_tags,
                                         std::optional<std::vector<uint32_t>> explicit_table = {});
  ndr::nspi::StatRowsResponse seek_entries(const Stat& stat, const ndr::nspi::PropertyValue& target,
                                           std::optional<PropertyTagArray> explicit_table,
                                           std::optional<PropertyTagArray> prop_tags);
  ndr::nspi::NspiGetMatches::Response get_matches(const Stat& stat, std::optional<ndr::nspi::Restriction> filter,
                                                  std::optional<ndr::nspi::PropertyName> prop_name,
                                                  uint32_t requested, std::optional<PropertyTagArray> prop_tags);
  ndr::nspi::NspiResortRestriction::Response resort_restriction(const Stat& stat, const PropertyTagArray& in_mids);
  // MS-OXNSPI 3.1.4.1.13: one Minimal Entry ID per DN (0 for a DN the server does not know).
  std::vector<uint32_t> dn_to_mid(const std::vector<std::string>& dns);
  std::vector<uint32_t> get_prop_list(uint32_t flags, uint32_t mid, uint32_t code_page);
  ndr::nspi::NspiGetProps::Response get_props(uint32_t flags, const Stat& stat, std::optional<PropertyTagArray> prop_tags);
  int32_t compare_mids(const Stat& stat, uint32_t mid1, uint32_t mid2);
  std::vector<uint32_t> query_columns(uint32_t flags);
  ndr::nspi::NspiGetNamesFromIDs::Response get_names_from_ids(std::optional<Guid> guid,
                                                              std::optional<PropertyTagArray> prop_tags);
  std::vector<uint32_t> get_ids_from_names(uint32_t flags, const std::vector<ndr::nspi::PropertyName>& names);
  ndr::nspi::NspiResolveNames::Response resolve_names(const Stat& stat, std::optional<PropertyTagArray> prop_tags,
                                                      const std::vector<std::string>& names);
  ndr::nspi::NspiResolveNamesW::Response resolve_names_w(const Stat& stat, std::optional<PropertyTagArray> prop_tags,
                                                         const std::vector<std::string>& names);

 private:
  void require_bound(std::string_view method) const;
  Connection connection_;
  ndr::ContextHandle handle_;
};

}  // namespace exmapi::rpc
