// The NSPI interface (MS-OXNSPI) over the store's address book, and RFR (MS-OXABREF). Requests are
// decoded and responses encoded by src/ndr, the same codec the client uses.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>
#include <string>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "ndr/nspi_methods.hpp"
#include "server/rpc_host.hpp"
#include "server/store/directory.hpp"

namespace exmapi::server::nspi {

constexpr const char* kNspiUuid = "F5CC5A18-4264-101A-8C59-08002B2F8426";  // version 56.0
constexpr const char* kRfrUuid = "1544F5E0-613C-11D1-93DF-00C04FD7BD09";   // version 1.0

class NspiService {
 public:
  explicit NspiService(const store::Directory& directory) : dir_(directory) {}
  // An RpcHandler for the NSPI interface: decodes the stub, answers it, encodes the response.
  Bytes handle(uint16_t opnum, ByteView stub, const CallerIdentity& caller);

  // The methods on decoded requests. The RPC handler above and MAPI over HTTP's address book
  // endpoint (whose request types MS-OXCMAPIHTTP 2.2.5 defines by their NSPI counterparts) both
  // answer through these. A context handle is valid only for the caller.connection that bound it.
  ndr::nspi::NspiBind::Response answer(const ndr::nspi::NspiBind::Request&, const CallerIdentity&);
  ndr::nspi::NspiUnbind::Response answer(const ndr::nspi::NspiUnbind::Request&, const CallerIdentity&);
  ndr::nspi::NspiUpdateStat::Response answer(const ndr::nspi::NspiUpdateStat::Request&, const CallerIdentity&);
  ndr::nspi::NspiQueryRows::Response answer(const ndr::nspi::NspiQueryRows::Request&, const CallerIdentity&);
  ndr::nspi::NspiSeekEntries::Response answer(const ndr::nspi::NspiSeekEntries::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetMatches::Response answer(const ndr::nspi::NspiGetMatches::Request&, const CallerIdentity&);
  ndr::nspi::NspiResortRestriction::Response answer(const ndr::nspi::NspiResortRestriction::Request&, const CallerIdentity&);
  ndr::nspi::NspiDNToMId::Response answer(const ndr::nspi::NspiDNToMId::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetPropList::Response answer(const ndr::nspi::NspiGetPropList::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetProps::Response answer(const ndr::nspi::NspiGetProps::Request&, const CallerIdentity&);
  ndr::nspi::NspiCompareMIds::Response answer(const ndr::nspi::NspiCompareMIds::Request&, const CallerIdentity&);
  ndr::nspi::NspiModProps::Response answer(const ndr::nspi::NspiModProps::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetSpecialTable::Response answer(const ndr::nspi::NspiGetSpecialTable::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetTemplateInfo::Response answer(const ndr::nspi::NspiGetTemplateInfo::Request&, const CallerIdentity&);
  ndr::nspi::NspiModLinkAtt::Response answer(const ndr::nspi::NspiModLinkAtt::Request&, const CallerIdentity&);
  ndr::nspi::NspiQueryColumns::Response answer(const ndr::nspi::NspiQueryColumns::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetNamesFromIDs::Response answer(const ndr::nspi::NspiGetNamesFromIDs::Request&, const CallerIdentity&);
  ndr::nspi::NspiGetIDsFromNames::Response answer(const ndr::nspi::NspiGetIDsFromNames::Request&, const CallerIdentity&);
  ndr::nspi::NspiResolveNames::Response answer(const ndr::nspi::NspiResolveNames::Request&, const CallerIdentity&);
  ndr::nspi::NspiResolveNamesW::Response answer(const ndr::nspi::NspiResolveNamesW::Request&, const CallerIdentity&);
  // The columns NspiQueryRows, NspiSeekEntries, NspiGetMatches and NspiResolveNames(W) answer with
  // when the request names none (MS-OXNSPI 3.1.4.1.8 constraint 6); `unicode`: the string columns
  // as PtypString (NspiResolveNamesW).
  static std::vector<uint32_t> default_columns(bool unicode);
  // Context handle rundown: the sessions bound on a closed connection end with it.
  void connection_closed(uint64_t connection);
  size_t session_count() const noexcept { return sessions_.size(); }

 private:
  struct Session {
    uint64_t connection = 0;
    uint32_t code_page = 0;
  };
  const Session& session(const Guid& handle, const CallerIdentity& caller) const;
  ndr::nspi::NspiResolveNamesW::Response resolve_names(const Guid& handle, const ndr::nspi::Stat& stat,
                                                       const std::optional<ndr::nspi::PropertyTagArray>& prop_tags,
                                                       const std::vector<std::string>& names, bool unicode,
                                                       const CallerIdentity& caller);
  const store::Directory& dir_;
  std::map<Guid, Session> sessions_;
};

// RFR: tells the client which server answers NSPI and where the mailbox server is (MS-OXABREF 3.1.4).
class RfrService {
 public:
  RfrService(const store::Directory& directory, std::string server_fqdn)
      : dir_(directory), fqdn_(std::move(server_fqdn)) {}
  Bytes handle(uint16_t opnum, ByteView stub, const CallerIdentity& caller);

 private:
  const store::Directory& dir_;
  std::string fqdn_;
};

}  // namespace exmapi::server::nspi
