// The sample organisation `exmapi-server --seed` creates: one list that the address-book seeder and the
// mailbox seeder both read, so the directory and the mailboxes always describe the same people.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace exmapi::server::sample {

constexpr std::string_view kOrganization = "Example Org";
constexpr std::string_view kAdministrativeGroup = "Exchange Administrative Group (FYDIBOHF23SPDLT)";
constexpr std::string_view kMailDomain = "example.test";
constexpr std::string_view kNetbiosDomain = "EXAMPLE";
constexpr std::string_view kRealm = "EXAMPLE.TEST";

struct User {
  std::string_view account;       // logon name and the last RDN of the legacy DN
  std::string_view display_name;  // PidTagDisplayName
  std::string_view given_name, surname;
  std::string_view title, department, office, phone;
  std::string_view password;  // what NTLM and the KDC check; sample data only
};

// The first user shares a calendar with the second (folder permissions); see the mailbox seeder.
constexpr std::array<User, 5> kUsers{{
    {"alice", "Alice Martin", "Alice", "Martin", "Project Manager", "Engineering", "B-204", "+1 555 0101", "Alice#2026"},
    {"bob", "Bob Nguyen", "Bob", "Nguyen", "Software Engineer", "Engineering", "B-210", "+1 555 0102", "Bob#2026"},
    {"chloe", "Chloé Dubois", "Chloé", "Dubois", "Sales Director", "Sales", "A-101", "+1 555 0103", "Chloe#2026"},
    {"dmitri", "Дмитрий Иванов", "Дмитрий", "Иванов", "Support Engineer", "Support", "C-002", "+1 555 0104",
     "Dmitri#2026"},
    {"emi", "佐藤 恵美", "恵美", "佐藤", "Designer", "Marketing", "A-115", "+1 555 0105", "Emi#2026"},
}};

// The X.500 legacy DN the address book and EcDoConnectEx use for a user (MS-OXNSPI 2.2.9.1 DN form).
inline std::string user_dn(std::string_view account) {
  return "/o=" + std::string(kOrganization) + "/ou=" + std::string(kAdministrativeGroup) + "/cn=Recipients/cn=" +
         std::string(account);
}

}  // namespace exmapi::server::sample
