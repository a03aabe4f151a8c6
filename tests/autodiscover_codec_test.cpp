// The Autodiscover documents: MS-OXDSCLI examples parse to what the spec says, the builders'
// output is pinned byte for byte, builder and parser agree, and hostile input fails cleanly.
#include <gtest/gtest.h>

#include "autodiscover/autodiscover_codec.hpp"
#include "autodiscover/discover.hpp"
#include "base/error.hpp"

namespace exmapi::autodiscover {
namespace {

template <class Fn>
std::string expect_error(exmapi_status status, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), status) << e.message();
    return e.message();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

// MS-OXDSCLI 4.2: the redirect to a new email address, as the spec prints it.
constexpr const char* kSpecRedirectAddr =
    R"(<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <Account>
      <Action>redirectAddr</Action>
      <RedirectAddr>user@subdomain.contoso.com</RedirectAddr>
    </Account>
  </Response>
</Autodiscover>)";

// The settings answer of the Exchange POX reference (User, EXCH, EXPR) with the MAPI/HTTP
// Protocol element of MS-OXDSCLI 2.2.4.1.1.2.6 added.
constexpr const char* kSettingsResponse =
    R"(<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
<User>
<DisplayName>First Last</DisplayName>
<LegacyDN>/o=contoso/ou=First Administrative Group/cn=Recipients/cn=iuser885646</LegacyDN>
<DeploymentId>644560b8-a1ce-429c-8ace-23395843f701</DeploymentId>
</User>
<Account>
<AccountType>email</AccountType>
<Action>settings</Action>
<Protocol>
<Type>EXCH</Type>
<Server>MBX-SERVER.mail.internal.contoso.com</Server>
<ServerDN>/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=MBX-SERVER</ServerDN>
<ServerVersion>72008287</ServerVersion>
<MdbDN>/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=MBX-SERVER/cn=Microsoft Private MDB</MdbDN>
<ASUrl>https://mail.contoso.com/ews/exchange.asmx</ASUrl>
<OOFUrl>https://mail.contoso.com/ews/exchange.asmx</OOFUrl>
</Protocol>
<Protocol>
<Type>EXPR</Type>
<Server>RPC.contoso.com</Server>
<SSL>On</SSL>
<AuthPackage>Ntlm</AuthPackage>
</Protocol>
<Protocol Type="mapiHttp" Version="1">
<MailStore>
<InternalUrl>https://mail.contoso.internal/mapi/emsmdb/?MailboxId=1@contoso.com</InternalUrl>
<ExternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=1@contoso.com</ExternalUrl>
</MailStore>
<AddressBook>
<InternalUrl>https://mail.contoso.internal/mapi/nspi/?MailboxId=1@contoso.com</InternalUrl>
<ExternalUrl>https://mail.contoso.com/mapi/nspi/?MailboxId=1@contoso.com</ExternalUrl>
</AddressBook>
</Protocol>
</Account>
</Response>
</Autodiscover>)";

TEST(AutodiscoverCodec, SpecRedirectAddrExample) {
  PoxResponse r = parse_pox_response(kSpecRedirectAddr);
  ASSERT_TRUE(r.account);
  EXPECT_FALSE(r.user);
  EXPECT_EQ(r.account->action, "redirectAddr");
  EXPECT_EQ(r.account->redirect_addr, "user@subdomain.contoso.com");
  EXPECT_TRUE(r.account->protocols.empty());
  // Rebuilt, it carries the same elements.
  EXPECT_EQ(parse_pox_response(build_pox_response(r)), r);
}

TEST(AutodiscoverCodec, SettingsResponseElements) {
  PoxResponse r = parse_pox_response(kSettingsResponse);
  ASSERT_TRUE(r.user);
  EXPECT_EQ(r.user->display_name, "First Last");
  EXPECT_EQ(r.user->legacy_dn, "/o=contoso/ou=First Administrative Group/cn=Recipients/cn=iuser885646");
  EXPECT_EQ(r.user->deployment_id, "644560b8-a1ce-429c-8ace-23395843f701");
  ASSERT_TRUE(r.account);
  EXPECT_EQ(r.account->account_type, "email");
  EXPECT_EQ(r.account->action, "settings");
  ASSERT_EQ(r.account->protocols.size(), 3u);
  const auto& exch = r.account->protocols[0];
  EXPECT_EQ(exch.type, "EXCH");
  EXPECT_EQ(exch.get("Server"), "MBX-SERVER.mail.internal.contoso.com");
  EXPECT_EQ(exch.get("ServerVersion"), "72008287");
  EXPECT_EQ(exch.settings.size(), 6u);
  const auto& expr = r.account->protocols[1];
  EXPECT_EQ(expr.type, "EXPR");
  EXPECT_EQ(expr.get("AuthPackage"), "Ntlm");
  const auto& mapi = r.account->protocols[2];
  EXPECT_TRUE(mapi.is_mapi_http());
  EXPECT_EQ(mapi.version_attribute, "1");
  EXPECT_EQ(mapi.mail_store.external_url, "https://mail.contoso.com/mapi/emsmdb/?MailboxId=1@contoso.com");
  EXPECT_EQ(mapi.address_book.internal_url, "https://mail.contoso.internal/mapi/nspi/?MailboxId=1@contoso.com");
  EXPECT_EQ(parse_pox_response(build_pox_response(r)), r);
}

TEST(AutodiscoverCodec, ChoiceRuleMapiHttpWhenOfferedElseRpcHttp) {
  PoxResponse r = parse_pox_response(kSettingsResponse);
  DiscoveredEndpoints ep = endpoints_from(r);
  EXPECT_EQ(ep.transport, Transport::kMapiHttp);
  EXPECT_EQ(ep.mapi_mailbox_url, "https://mail.contoso.com/mapi/emsmdb/?MailboxId=1@contoso.com");
  EXPECT_EQ(ep.mapi_addressbook_url, "https://mail.contoso.com/mapi/nspi/?MailboxId=1@contoso.com");
  EXPECT_EQ(ep.display_name, "First Last");
  EXPECT_EQ(ep.rpc_proxy_server, "RPC.contoso.com");
  EXPECT_EQ(endpoints_from(r, true).mapi_mailbox_url, "https://mail.contoso.internal/mapi/emsmdb/?MailboxId=1@contoso.com");
  r.account->protocols.pop_back();
  ep = endpoints_from(r);
  EXPECT_EQ(ep.transport, Transport::kRpcHttp);
  EXPECT_EQ(ep.rpc_proxy_server, "RPC.contoso.com");
  EXPECT_TRUE(ep.rpc_proxy_ssl);
  EXPECT_EQ(ep.rpc_auth_package, "Ntlm");
  EXPECT_EQ(ep.rpc_server, "MBX-SERVER.mail.internal.contoso.com");
  EXPECT_EQ(ep.rpc_server_dn, "/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=MBX-SERVER");
  r.account->protocols.pop_back();
  EXPECT_EQ(endpoints_from(r).transport, Transport::kNone);
}

TEST(AutodiscoverCodec, RequestBytesAndRoundTrip) {
  PoxRequest q{"user@contoso.com", {}, std::string(kOutlookResponseNamespace)};
  EXPECT_EQ(build_pox_request(q),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">\n"
            "  <Request>\n"
            "    <EMailAddress>user@contoso.com</EMailAddress>\n"
            "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>\n"
            "  </Request>\n"
            "</Autodiscover>\n");
  EXPECT_EQ(parse_pox_request(build_pox_request(q)), q);
  // The request as the Exchange reference prints it (one line, no declaration).
  PoxRequest spec = parse_pox_request(
      "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request>"
      "<EMailAddress>user@contoso.com</EMailAddress><AcceptableResponseSchema>"
      "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>"
      "</Request></Autodiscover>");
  EXPECT_EQ(spec, q);
  PoxRequest by_dn{{}, "/o=contoso/cn=Recipients/cn=u & v", std::string(kOutlookResponseNamespace)};
  std::string xml = build_pox_request(by_dn);
  EXPECT_NE(xml.find("cn=u &amp; v"), std::string::npos);
  EXPECT_EQ(parse_pox_request(xml), by_dn);
}

TEST(AutodiscoverCodec, ResponseBytesArePinned) {
  PoxResponse r;
  r.user = UserSettings{"Ann <A&B>", "/o=x/cn=ann", "d1", ""};
  r.account.emplace();
  r.account->action = "settings";
  ProtocolSettings mapi;
  mapi.type_attribute = "mapiHttp";
  mapi.version_attribute = "1";
  mapi.mail_store = {"", "https://h/mapi/emsmdb/"};
  mapi.address_book = {"", "https://h/mapi/nspi/"};
  r.account->protocols.push_back(mapi);
  EXPECT_EQ(build_pox_response(r),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
            "  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
            "    <User>\n"
            "      <DisplayName>Ann &lt;A&amp;B&gt;</DisplayName>\n"
            "      <LegacyDN>/o=x/cn=ann</LegacyDN>\n"
            "      <DeploymentId>d1</DeploymentId>\n"
            "    </User>\n"
            "    <Account>\n"
            "      <AccountType>email</AccountType>\n"
            "      <Action>settings</Action>\n"
            "      <Protocol Type=\"mapiHttp\" Version=\"1\">\n"
            "        <MailStore>\n"
            "          <ExternalUrl>https://h/mapi/emsmdb/</ExternalUrl>\n"
            "        </MailStore>\n"
            "        <AddressBook>\n"
            "          <ExternalUrl>https://h/mapi/nspi/</ExternalUrl>\n"
            "        </AddressBook>\n"
            "      </Protocol>\n"
            "    </Account>\n"
            "  </Response>\n"
            "</Autodiscover>\n");
  EXPECT_EQ(parse_pox_response(build_pox_response(r)), r);
}

TEST(AutodiscoverCodec, ErrorResponse) {
  // The shape of 2.2.4.1.1.3: Error with Time and Id attributes, in the root namespace.
  PoxResponse r = parse_pox_response(
      R"(<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response>
    <Error Time="16:42:46.5155954" Id="2356235592">
      <ErrorCode>600</ErrorCode>
      <Message>Invalid Request</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>)");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->time, "16:42:46.5155954");
  EXPECT_EQ(r.error->id, "2356235592");
  EXPECT_EQ(r.error->error_code, "600");
  EXPECT_EQ(r.error->message, "Invalid Request");
  std::string built = build_pox_response(r);
  EXPECT_NE(built.find("<Error Time=\"16:42:46.5155954\" Id=\"2356235592\">"), std::string::npos);
  EXPECT_EQ(parse_pox_response(built), r);
}

TEST(AutodiscoverCodec, HostileXmlFailsWithAClearError) {
  // Entity expansion (billion laughs) never happens: any DTD is refused.
  std::string msg = expect_error(EXMAPI_E_DECODE, [] {
    parse_pox_response(R"(<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;&l;">]>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response>&l2;</Response></Autodiscover>)");
  });
  EXPECT_NE(msg.find("document type declaration"), std::string::npos) << msg;
  msg = expect_error(EXMAPI_E_DECODE, [] { parse_pox_response("<Autodiscover xmlns=\"x\"><Response>"); });
  EXPECT_NE(msg.find("not well-formed XML"), std::string::npos) << msg;
  msg = expect_error(EXMAPI_E_DECODE, [] { parse_pox_response("<html><body>It works!</body></html>"); });
  EXPECT_NE(msg.find("root element is not <Autodiscover>"), std::string::npos) << msg;
  msg = expect_error(EXMAPI_E_DECODE, [] {
    parse_pox_response(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">"
        "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006\"><User/></Response></Autodiscover>");
  });
  EXPECT_NE(msg.find("mobilesync"), std::string::npos) << msg;
  msg = expect_error(EXMAPI_E_DECODE, [] {
    parse_pox_response(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\n"
        "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\n"
        "<User><DisplayName>a<b/></DisplayName></User></Response></Autodiscover>");
  });
  EXPECT_NE(msg.find("at offset 193 in Autodiscover.Response.User.DisplayName"), std::string::npos) << msg;
  msg = expect_error(EXMAPI_E_DECODE, [] {
    parse_pox_response(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">"
        "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">"
        "<Account><Action>redirectAddr</Action></Account></Response></Autodiscover>");
  });
  EXPECT_NE(msg.find("RedirectAddr is missing"), std::string::npos) << msg;
  expect_error(EXMAPI_E_LIMIT, [] { parse_pox_response(std::string(2u << 20, ' ')); });
  expect_error(EXMAPI_E_DECODE, [] { parse_pox_response(""); });
  expect_error(EXMAPI_E_DECODE, [] { parse_pox_request("<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request/></Autodiscover>"); });
}

TEST(AutodiscoverCodec, BuilderRefusesWhatXmlCannotCarry) {
  PoxResponse r;
  r.user = UserSettings{std::string("a\x01", 2), "", "", ""};
  expect_error(EXMAPI_E_ENCODE, [&] { build_pox_response(r); });
  expect_error(EXMAPI_E_ENCODE, [] { build_pox_request(PoxRequest{"", "", ""}); });
}

TEST(AutodiscoverCodec, JsonV2BytesAndRoundTrip) {
  JsonV2Response ok{"MapiHttp", "https://outlook.example.test/mapi/emsmdb/?MailboxId=u@example.test", "", ""};
  EXPECT_EQ(build_json_v2_response(ok), R"({"Protocol":"MapiHttp","Url":"https://outlook.example.test/mapi/emsmdb/?MailboxId=u@example.test"})");
  EXPECT_EQ(parse_json_v2_response(build_json_v2_response(ok)), ok);
  JsonV2Response err{"", "", "InvalidProtocol", "The given protocol value 'Foo' is invalid."};
  EXPECT_EQ(build_json_v2_response(err), R"({"ErrorCode":"InvalidProtocol","ErrorMessage":"The given protocol value 'Foo' is invalid."})");
  EXPECT_EQ(parse_json_v2_response(build_json_v2_response(err)), err);
  EXPECT_EQ(json_v2_path("a+b@example.test", "MapiHttp"), "/autodiscover/autodiscover.json?Email=a%2Bb%40example.test&Protocol=MapiHttp");
  std::string msg = expect_error(EXMAPI_E_DECODE, [] { parse_json_v2_response(R"({"Protocol":"MapiHttp","Url":)"); });
  EXPECT_NE(msg.find("not JSON"), std::string::npos) << msg;
  msg = expect_error(EXMAPI_E_DECODE, [] { parse_json_v2_response(R"({"Protocol":"MapiHttp","Url":5})"); });
  EXPECT_NE(msg.find("autodiscover.json.Url"), std::string::npos) << msg;
  expect_error(EXMAPI_E_DECODE, [] { parse_json_v2_response("[1]"); });
  expect_error(EXMAPI_E_DECODE, [] { parse_json_v2_response("{}"); });
  expect_error(EXMAPI_E_ENCODE, [] { build_json_v2_response(JsonV2Response{"MapiHttp", "\xff", "", ""}); });
}

}  // namespace
}  // namespace exmapi::autodiscover
