// RFR (MS-OXABREF 3.1.4) client: which NSPI server and which mailbox server FQDN to use.
#pragma once

#include "rpc/connection.hpp"

namespace exmapi::rpc {

class RfrClient {
 public:
  explicit RfrClient(Connection connection);
  explicit RfrClient(const ConnectOptions& options) : RfrClient(Connection(kRfr, options)) {}

  Connection& connection() { return connection_; }

  // MS-OXABREF 3.1.4.1: the FQDN of an NSPI server for the user's DN.
  std::string get_new_dsa(const std::string& user_dn);
  // MS-OXABREF 3.1.4.2: the FQDN of the server whose DN is given (e.g. the home MDB server).
  std::string get_fqdn_from_server_dn(const std::string& server_dn);

 private:
  Connection connection_;
};

}  // namespace exmapi::rpc
