#include "rpc/nspi_client.hpp"

namespace exmapi::rpc {

namespace nspi = ndr::nspi;

NspiClient::NspiClient(Connection connection) : connection_(std::move(connection)) {
  detail::check_interface(connection_, kNspi, "NspiClient");
}

void NspiClient::require_bound(std::string_view method) const {
  if (!bound())
    throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string(method) + " needs the context handle of NspiBind: call bind() first");
}

std::optional<Guid> NspiClient::bind(uint32_t flags, const Stat& stat, std::optional<Guid> server_guid) {
  nspi::NspiBind::Request r;
  r.flags = flags;
  r.stat = stat;
  r.server_guid = server_guid;
  auto resp = call<nspi::NspiBind>(connection_, r);
  check_result(r.kName, resp.result);
  if (resp.context_handle.is_null())
    throw Error(EXMAPI_E_PROTOCOL, "NspiBind succeeded but the server returned a null context handle");
  handle_ = resp.context_handle;
  return resp.server_guid;
}

uint32_t NspiClient::unbind() {
  require_bound("NspiUnbind");
  nspi::NspiUnbind::Request r;
  r.context_handle = handle_;
  auto resp = call<nspi::NspiUnbind>(connection_, r);
  handle_ = resp.context_handle;  // the null handle once the server destroyed it
  return resp.result;
}

nspi::NspiGetSpecialTable::Response NspiClient::get_special_table(uint32_t flags, const Stat& stat, uint32_t version) {
  require_bound("NspiGetSpecialTable");
  nspi::NspiGetSpecialTable::Request r;
  r.handle = handle_;
  r.flags = flags;
  r.stat = stat;
  r.version = version;
  auto resp = call<nspi::NspiGetSpecialTable>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

nspi::NspiUpdateStat::Response NspiClient::update_stat(const Stat& stat, std::optional<int32_t> delta) {
  require_bound("NspiUpdateStat");
  nspi::NspiUpdateStat::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.delta = delta;
  auto resp = call<nspi::NspiUpdateStat>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

nspi::StatRowsResponse NspiClient::query_rows(uint32_t flags, const Stat& stat, uint32_t count,
                                              std::optional<PropertyTagArray> prop_tags,
                                              std::optional<std::vector<uint32_t>> explicit_table) {
  require_bound("NspiQueryRows");
  nspi::NspiQueryRows::Request r;
  r.handle = handle_;
  r.flags = flags;
  r.stat = stat;
  r.explicit_table = std::move(explicit_table);
  r.count = count;
  r.prop_tags = std::move(prop_tags);
  auto resp = call<nspi::NspiQueryRows>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

nspi::StatRowsResponse NspiClient::seek_entries(const Stat& stat, const nspi::PropertyValue& target,
                                                std::optional<PropertyTagArray> explicit_table,
                                                std::optional<PropertyTagArray> prop_tags) {
  require_bound("NspiSeekEntries");
  nspi::NspiSeekEntries::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.target = target;
  r.explicit_table = std::move(explicit_table);
  r.prop_tags = std::move(prop_tags);
  auto resp = call<nspi::NspiSeekEntries>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

nspi::NspiGetMatches::Response NspiClient::get_matches(const Stat& stat, std::optional<nspi::Restriction> filter,
                                                       std::optional<nspi::PropertyName> prop_name, uint32_t requested,
                                                       std::optional<PropertyTagArray> prop_tags) {
  require_bound("NspiGetMatches");
  nspi::NspiGetMatches::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.filter = std::move(filter);
  r.prop_name = std::move(prop_name);
  r.requested = requested;
  r.prop_tags = std::move(prop_tags);
  auto resp = call<nspi::NspiGetMatches>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

nspi::NspiResortRestriction::Response NspiClient::resort_restriction(const Stat& stat, const PropertyTagArray& in_mids) {
  require_bound("NspiResortRestriction");
  nspi::NspiResortRestriction::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.in_mids = in_mids;
  auto resp = call<nspi::NspiResortRestriction>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

std::vector<uint32_t> NspiClient::dn_to_mid(const std::vector<std::string>& dns) {
  require_bound("NspiDNToMId");
  nspi::NspiDNToMId::Request r;
  r.handle = handle_;
  r.names.strings = dns;
  auto resp = call<nspi::NspiDNToMId>(connection_, r);
  check_result(r.kName, resp.result);
  if (!resp.tags) throw Error(EXMAPI_E_PROTOCOL, "NspiDNToMId succeeded without returning ppMIds");
  if (resp.tags->values.size() != dns.size())
    throw Error(EXMAPI_E_PROTOCOL, "NspiDNToMId returned " + std::to_string(resp.tags->values.size()) + " MIds for " +
                                       std::to_string(dns.size()) + " DNs");
  return std::move(resp.tags->values);
}

std::vector<uint32_t> NspiClient::get_prop_list(uint32_t flags, uint32_t mid, uint32_t code_page) {
  require_bound("NspiGetPropList");
  nspi::NspiGetPropList::Request r;
  r.handle = handle_;
  r.flags = flags;
  r.mid = mid;
  r.code_page = code_page;
  auto resp = call<nspi::NspiGetPropList>(connection_, r);
  check_result(r.kName, resp.result);
  return resp.tags ? std::move(resp.tags->values) : std::vector<uint32_t>{};
}

nspi::NspiGetProps::Response NspiClient::get_props(uint32_t flags, const Stat& stat, std::optional<PropertyTagArray> prop_tags) {
  require_bound("NspiGetProps");
  nspi::NspiGetProps::Request r;
  r.handle = handle_;
  r.flags = flags;
  r.stat = stat;
  r.prop_tags = std::move(prop_tags);
  auto resp = call<nspi::NspiGetProps>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

int32_t NspiClient::compare_mids(const Stat& stat, uint32_t mid1, uint32_t mid2) {
  require_bound("NspiCompareMIds");
  nspi::NspiCompareMIds::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.mid1 = mid1;
  r.mid2 = mid2;
  auto resp = call<nspi::NspiCompareMIds>(connection_, r);
  check_result(r.kName, resp.result);
  return resp.comparison;
}

std::vector<uint32_t> NspiClient::query_columns(uint32_t flags) {
  require_bound("NspiQueryColumns");
  nspi::NspiQueryColumns::Request r;
  r.handle = handle_;
  r.flags = flags;
  auto resp = call<nspi::NspiQueryColumns>(connection_, r);
  check_result(r.kName, resp.result);
  return resp.tags ? std::move(resp.tags->values) : std::vector<uint32_t>{};
}

nspi::NspiGetNamesFromIDs::Response NspiClient::get_names_from_ids(std::optional<Guid> guid,
                                                                   std::optional<PropertyTagArray> prop_tags) {
  require_bound("NspiGetNamesFromIDs");
  nspi::NspiGetNamesFromIDs::Request r;
  r.handle = handle_;
  r.guid = guid;
  r.prop_tags = std::move(prop_tags);
  auto resp = call<nspi::NspiGetNamesFromIDs>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

std::vector<uint32_t> NspiClient::get_ids_from_names(uint32_t flags, const std::vector<nspi::PropertyName>& names) {
  require_bound("NspiGetIDsFromNames");
  nspi::NspiGetIDsFromNames::Request r;
  r.handle = handle_;
  r.flags = flags;
  r.names = names;
  auto resp = call<nspi::NspiGetIDsFromNames>(connection_, r);
  check_result(r.kName, resp.result);
  return resp.tags ? std::move(resp.tags->values) : std::vector<uint32_t>{};
}

nspi::NspiResolveNames::Response NspiClient::resolve_names(const Stat& stat, std::optional<PropertyTagArray> prop_tags,
                                                           const std::vector<std::string>& names) {
  require_bound("NspiResolveNames");
  nspi::NspiResolveNames::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.prop_tags = std::move(prop_tags);
  r.names.strings = names;
  auto resp = call<nspi::NspiResolveNames>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

nspi::NspiResolveNamesW::Response NspiClient::resolve_names_w(const Stat& stat, std::optional<PropertyTagArray> prop_tags,
                                                              const std::vector<std::string>& names) {
  require_bound("NspiResolveNamesW");
  nspi::NspiResolveNamesW::Request r;
  r.handle = handle_;
  r.stat = stat;
  r.prop_tags = std::move(prop_tags);
  r.names.strings = names;
  auto resp = call<nspi::NspiResolveNamesW>(connection_, r);
  check_result(r.kName, resp.result);
  return resp;
}

}  // namespace exmapi::rpc
