// The NSPI interface (MS-OXNSPI) over the store's address book, and RFR (MS-OXABREF). Requests are
// decoded and responses encoded by src/ndr, the same codec the client uses.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "server/rpc_host.hpp"
#include "server/store/directory.hpp"

namespace exmapi::server::nspi {

constexpr const char* kNspiUuid = "F5CC5A18-4264-101A-8C59-08002B2F8426";  // version 56.0
constexpr const char* kRfrUuid = "1544F5E0-613C-11D1-93DF-00C04FD7BD09";   // version 1.0

class NspiService {
 public:
  explicit NspiService(const store::Directory& directory) : dir_(directory) {}
  // An RpcHandler for the NSPI interface.
  Bytes handle(uint16_t opnum, ByteView stub, const CallerIdentity& caller);
  // Context handle rundown: the sessions bound on a closed connection end with it.
  void connection_closed(uint64_t connection);
  size_t session_count() const noexcept { return sessions_.size(); }

 private:
  struct Session {
    uint64_t connection = 0;
    uint32_t code_page = 0;
  };
  const Session& session(const Guid& handle, const CallerIdentity& caller) const;
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
