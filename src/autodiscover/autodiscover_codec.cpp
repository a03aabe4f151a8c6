#include "autodiscover/autodiscover_codec.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cctype>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace exmapi::autodiscover {

namespace {

constexpr size_t kMaxDocumentSize = 1u << 20;

// ---- writing ----------------------------------------------------------------------------------

// In attributes, tabs and newlines are written as references: a parser normalises literal ones to spaces.
void append_escaped(std::string& out, std::string_view text, std::string_view field, bool attribute = false) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r')
      throw EncodeError(field, "control character " + std::to_string(u) + " cannot appear in XML 1.0");
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      default: out += c;
    }
  }
}

class XmlWriter {
 public:
  XmlWriter() { out_ = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"; }
  // Opens <name attr="v" ...>; attributes with empty values are left out.
  void open(std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> attributes = {}) {
    indent();
    out_ += '<';
    out_ += name;
    for (const auto& [k, v] : attributes) {
      if (v.empty()) continue;
      out_ += ' ';
      out_ += k;
      out_ += "=\"";
      append_escaped(out_, v, k, true);
      out_ += '"';
    }
    out_ += ">\n";
    stack_.emplace_back(name);
  }
  void close() {
    std::string name = std::move(stack_.back());
    stack_.pop_back();
    indent();
    out_ += "</" + name + ">\n";
  }
  // <name>text</name>, left out when the text is empty and optional.
  void element(std::string_view name, std::string_view text, bool always = false) {
    if (text.empty() && !always) return;
    indent();
    out_ += '<';
    out_ += name;
    out_ += '>';
    append_escaped(out_, text, name);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(stack_.size() * 2, ' '); }
  std::string out_;
  std::vector<std::string> stack_;
};

// ---- reading ----------------------------------------------------------------------------------

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct CtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

class XmlInput {
 public:
  XmlInput(std::string_view xml, const char* what) : xml_(xml), what_(what) {
    if (xml.size() > kMaxDocumentSize)
      throw Error(EXMAPI_E_LIMIT, std::string(what) + " is " + std::to_string(xml.size()) + " bytes, over the limit of " +
                                      std::to_string(kMaxDocumentSize));
    // libxml2's global state must be set up once before threads parse concurrently.
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });
    std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(xmlNewParserCtxt());
    if (!ctxt) throw Error(EXMAPI_E_NO_MEMORY, "cannot create an XML parser");
    // No network, no entity substitution, no DTD loading, quiet (errors come back as exceptions).
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    doc_.reset(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, options));
    if (!doc_ || !ctxt->wellFormed) {
      const xmlError* err = xmlCtxtGetLastError(ctxt.get());
      std::string reason = err && err->message ? err->message : "not well-formed XML";
      while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
      long consumed = xmlByteConsumed(ctxt.get());
      size_t offset = consumed >= 0 ? static_cast<size_t>(consumed) : line_offset(err ? err->line : 1);
      throw DecodeError(offset, what_, "not well-formed XML: " + reason);
    }
    if (doc_->intSubset || doc_->extSubset)
      throw DecodeError(0, what_, "a document type declaration is not allowed in an Autodiscover document");
  }

  xmlNode* root() const { return xmlDocGetRootElement(doc_.get()); }

  [[noreturn]] void fail(const xmlNode* node, const std::string& field, const std::string& reason) const {
    throw DecodeError(line_offset(node ? xmlGetLineNo(node) : 1), field, reason);
  }

 private:
  // The byte offset of the start of a 1-based line: the position a reader can look at.
  size_t line_offset(long line) const {
    size_t offset = 0;
    for (long l = 1; l < line && offset < xml_.size(); ++l) {
      size_t nl = xml_.find('\n', offset);
      if (nl == std::string_view::npos) break;
      offset = nl + 1;
    }
    return offset;
  }

  std::string_view xml_;
  const char* what_;
  std::unique_ptr<xmlDoc, DocFree> doc_;
};

std::string_view local_name(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

std::string_view ns_of(const xmlNode* n) {
  return n->ns && n->ns->href ? std::string_view(reinterpret_cast<const char*>(n->ns->href)) : std::string_view();
}

std::vector<xmlNode*> children(const xmlNode* n) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

std::string text_of(const XmlInput& in, const xmlNode* n, const std::string& path) {
  std::string out;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content) out += reinterpret_cast<const char*>(c->content);
    } else if (c->type == XML_ELEMENT_NODE) {
      in.fail(c, path, "expected text, found element <" + std::string(local_name(c)) + ">");
    }
  }
  // Servers indent; leading and trailing blanks are never part of a value.
  size_t b = out.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = out.find_last_not_of(" \t\r\n");
  return out.substr(b, e - b + 1);
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

UrlPair parse_url_pair(const XmlInput& in, const xmlNode* n, const std::string& path) {
  UrlPair p;
  for (xmlNode* c : children(n)) {
    auto name = local_name(c);
    std::string child_path = path + "." + std::string(name);
    if (name == "InternalUrl") p.internal_url = text_of(in, c, child_path);
    else if (name == "ExternalUrl") p.external_url = text_of(in, c, child_path);
  }
  return p;
}

// True when the element has element children (a container this code does not interpret).
bool has_element_children(const xmlNode* n) {
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

ProtocolSettings parse_protocol(const XmlInput& in, const xmlNode* n, const std::string& path) {
  ProtocolSettings p;
  p.type_attribute = attribute(n, "Type");
  p.version_attribute = attribute(n, "Version");
  for (xmlNode* c : children(n)) {
    auto name = local_name(c);
    std::string child_path = path + "." + std::string(name);
    if (name == "Type") p.type = text_of(in, c, child_path);
    else if (name == "MailStore") p.mail_store = parse_url_pair(in, c, child_path);
    else if (name == "AddressBook") p.address_book = parse_url_pair(in, c, child_path);
    else if (!has_element_children(c)) p.settings.emplace_back(name, text_of(in, c, child_path));
    // Other containers (Internal, External, PublicFolderInformation...) carry nothing a MAPI
    // client connects with.
  }
  if (p.type.empty() && p.type_attribute.empty()) in.fail(n, path, "a Protocol has neither a Type element nor a Type attribute");
  return p;
}

}  // namespace

// ---- ProtocolSettings -------------------------------------------------------------------------

bool ProtocolSettings::is_mapi_http() const {
  std::string t = type_attribute;
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t == "mapihttp";
}

std::string ProtocolSettings::get(std::string_view name) const {
  for (const auto& [k, v] : settings)
    if (k == name) return v;
  return {};
}

ProtocolSettings& ProtocolSettings::set(std::string name, std::string value) {
  for (auto& [k, v] : settings)
    if (k == name) {
      v = std::move(value);
      return *this;
    }
  settings.emplace_back(std::move(name), std::move(value));
  return *this;
}

// ---- request ----------------------------------------------------------------------------------

std::string build_pox_request(const PoxRequest& request) {
  if (request.email_address.empty() && request.legacy_dn.empty())
    throw EncodeError("Request", "needs an EMailAddress or a LegacyDN");
  XmlWriter w;
  w.open("Autodiscover", {{"xmlns", kRequestNamespace}});
  w.open("Request");
  w.element("EMailAddress", request.email_address);
  w.element("LegacyDN", request.legacy_dn);
  w.element("AcceptableResponseSchema", request.acceptable_response_schema, true);
  w.close();
  w.close();
  return w.take();
}

PoxRequest parse_pox_request(std::string_view xml) {
  XmlInput in(xml, "Autodiscover request");
  xmlNode* root = in.root();
  if (!root || local_name(root) != "Autodiscover") in.fail(root, "Autodiscover", "the root element is not <Autodiscover>");
  if (ns_of(root) != kRequestNamespace)
    in.fail(root, "Autodiscover", "the request is in namespace '" + std::string(ns_of(root)) + "', expected " + std::string(kRequestNamespace));
  xmlNode* request = nullptr;
  for (xmlNode* c : children(root))
    if (local_name(c) == "Request") {
      if (request) in.fail(c, "Autodiscover.Request", "more than one Request element");
      request = c;
    }
  if (!request) in.fail(root, "Autodiscover", "no Request element");
  PoxRequest r;
  r.acceptable_response_schema.clear();
  for (xmlNode* c : children(request)) {
    auto name = local_name(c);
    std::string path = "Autodiscover.Request." + std::string(name);
    if (name == "EMailAddress") r.email_address = text_of(in, c, path);
    else if (name == "LegacyDN") r.legacy_dn = text_of(in, c, path);
    else if (name == "AcceptableResponseSchema") r.acceptable_response_schema = text_of(in, c, path);
  }
  if (r.email_address.empty() && r.legacy_dn.empty())
    in.fail(request, "Autodiscover.Request", "neither EMailAddress nor LegacyDN is given");
  return r;
}

// ---- response ---------------------------------------------------------------------------------

std::string build_pox_response(const PoxResponse& response) {
  XmlWriter w;
  w.open("Autodiscover", {{"xmlns", kResponseNamespace}});
  if (response.error && !response.user && !response.account) {
    // The error-only response of 2.2.4.1.1.3 lives in the root namespace.
    w.open("Response");
  } else {
    w.open("Response", {{"xmlns", kOutlookResponseNamespace}});
  }
  if (response.user) {
    const auto& u = *response.user;
    w.open("User");
    w.element("DisplayName", u.display_name);
    w.element("LegacyDN", u.legacy_dn);
    w.element("AutoDiscoverSMTPAddress", u.autodiscover_smtp_address);
    w.element("DeploymentId", u.deployment_id);
    w.close();
  }
  if (response.account) {
    const auto& a = *response.account;
    w.open("Account");
    w.element("AccountType", a.account_type);
    w.element("Action", a.action, true);
    w.element("RedirectAddr", a.redirect_addr);
    w.element("RedirectUrl", a.redirect_url);
    for (const auto& p : a.protocols) {
      if (p.type.empty() && p.type_attribute.empty()) throw EncodeError("Protocol", "needs a Type");
      w.open("Protocol", {{"Type", p.type_attribute}, {"Version", p.version_attribute}});
      w.element("Type", p.type);
      for (const auto& [k, v] : p.settings) {
        if (k.empty() || k.find_first_of(" <>&\"/=") != std::string::npos) throw EncodeError("Protocol", "bad element name '" + k + "'");
        w.element(k, v, true);
      }
      auto pair = [&](const char* name, const UrlPair& u) {
        if (u.empty()) return;
        w.open(name);
        w.element("InternalUrl", u.internal_url);
        w.element("ExternalUrl", u.external_url);
        w.close();
      };
      pair("MailStore", p.mail_store);
      pair("AddressBook", p.address_book);
      w.close();
    }
    w.close();
  }
  if (response.error) {
    const auto& e = *response.error;
    w.open("Error", {{"Time", e.time}, {"Id", e.id}});
    w.element("ErrorCode", e.error_code, true);
    w.element("Message", e.message, true);
    w.element("DebugData", e.debug_data, true);
    w.close();
  }
  w.close();
  w.close();
  return w.take();
}

PoxResponse parse_pox_response(std::string_view xml) {
  XmlInput in(xml, "Autodiscover response");
  xmlNode* root = in.root();
  if (!root || local_name(root) != "Autodiscover") in.fail(root, "Autodiscover", "the root element is not <Autodiscover>");
  if (ns_of(root) != kResponseNamespace)
    in.fail(root, "Autodiscover", "the response is in namespace '" + std::string(ns_of(root)) + "', expected " + std::string(kResponseNamespace));
  xmlNode* response = nullptr;
  for (xmlNode* c : children(root))
    if (local_name(c) == "Response") {
      if (response) in.fail(c, "Autodiscover.Response", "more than one Response element");
      response = c;
    }
  if (!response) in.fail(root, "Autodiscover", "no Response element");
  if (ns_of(response) != kOutlookResponseNamespace && ns_of(response) != kResponseNamespace)
    in.fail(response, "Autodiscover.Response",
            "the Response is in namespace '" + std::string(ns_of(response)) + "', not the Outlook schema " + std::string(kOutlookResponseNamespace));

  PoxResponse r;
  for (xmlNode* c : children(response)) {
    auto name = local_name(c);
    std::string path = "Autodiscover.Response." + std::string(name);
    if (name == "User") {
      if (r.user) in.fail(c, path, "more than one User element");
      UserSettings u;
      for (xmlNode* f : children(c)) {
        auto fn = local_name(f);
        std::string fp = path + "." + std::string(fn);
        if (fn == "DisplayName") u.display_name = text_of(in, f, fp);
        else if (fn == "LegacyDN") u.legacy_dn = text_of(in, f, fp);
        else if (fn == "DeploymentId") u.deployment_id = text_of(in, f, fp);
        else if (fn == "AutoDiscoverSMTPAddress") u.autodiscover_smtp_address = text_of(in, f, fp);
      }
      r.user = std::move(u);
    } else if (name == "Account") {
      if (r.account) in.fail(c, path, "more than one Account element");
      AccountSettings a;
      a.account_type.clear();
      size_t index = 0;
      for (xmlNode* f : children(c)) {
        auto fn = local_name(f);
        std::string fp = path + "." + std::string(fn);
        if (fn == "AccountType") a.account_type = text_of(in, f, fp);
        else if (fn == "Action") a.action = text_of(in, f, fp);
        else if (fn == "RedirectAddr") a.redirect_addr = text_of(in, f, fp);
        else if (fn == "RedirectUrl") a.redirect_url = text_of(in, f, fp);
        else if (fn == "Protocol") a.protocols.push_back(parse_protocol(in, f, fp + "[" + std::to_string(index++) + "]"));
      }
      if (a.action == "redirectAddr" && a.redirect_addr.empty()) in.fail(c, path, "Action is redirectAddr but RedirectAddr is missing");
      if (a.action == "redirectUrl" && a.redirect_url.empty()) in.fail(c, path, "Action is redirectUrl but RedirectUrl is missing");
      r.account = std::move(a);
    } else if (name == "Error") {
      if (r.error) in.fail(c, path, "more than one Error element");
      ErrorSettings e;
      e.time = attribute(c, "Time");
      e.id = attribute(c, "Id");
      for (xmlNode* f : children(c)) {
        auto fn = local_name(f);
        std::string fp = path + "." + std::string(fn);
        if (fn == "ErrorCode") e.error_code = text_of(in, f, fp);
        else if (fn == "Message") e.message = text_of(in, f, fp);
        else if (fn == "DebugData") e.debug_data = text_of(in, f, fp);
      }
      r.error = std::move(e);
    }
  }
  if (!r.user && !r.account && !r.error) in.fail(response, "Autodiscover.Response", "has no User, Account or Error element");
  return r;
}

// ---- JSON v2 ----------------------------------------------------------------------------------

std::string build_json_v2_response(const JsonV2Response& response) {
  const bool is_error = !response.error_code.empty() || !response.error_message.empty();
  if (!is_error && (response.protocol.empty() || response.url.empty()))
    throw EncodeError("autodiscover.json", "needs a Protocol and a Url, or an ErrorCode");
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!response.protocol.empty()) j["Protocol"] = response.protocol;
  if (!response.url.empty()) j["Url"] = response.url;
  if (is_error) {
    j["ErrorCode"] = response.error_code;
    j["ErrorMessage"] = response.error_message;
  }
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    throw EncodeError("autodiscover.json", e.what());  // invalid UTF-8
  }
}

JsonV2Response parse_json_v2_response(std::string_view text) {
  if (text.size() > kMaxDocumentSize) throw Error(EXMAPI_E_LIMIT, "autodiscover.json answer over the size limit");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw DecodeError(e.byte > 0 ? e.byte - 1 : 0, "autodiscover.json", std::string("not JSON: ") + e.what());
  } catch (const nlohmann::json::exception& e) {
    // out_of_range for a number no double holds ("555E55555"), found by fuzz_autodiscover.
    throw DecodeError(0, "autodiscover.json", std::string("not usable JSON: ") + e.what());
  }
  if (!j.is_object()) throw DecodeError(0, "autodiscover.json", "the answer is not a JSON object");
  JsonV2Response r;
  auto field = [&](const char* name, std::string& out) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return;
    if (!it->is_string()) throw DecodeError(0, std::string("autodiscover.json.") + name, "is not a string");
    out = it->get<std::string>();
  };
  field("Protocol", r.protocol);
  field("Url", r.url);
  field("ErrorCode", r.error_code);
  field("ErrorMessage", r.error_message);
  if (r.error_code.empty() && r.error_message.empty() && (r.url.empty() || r.protocol.empty()))
    throw DecodeError(0, "autodiscover.json", "has neither a Protocol with its Url nor an ErrorCode");
  return r;
}

std::string percent_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string json_v2_path(std::string_view email, std::string_view protocol) {
  return "/autodiscover/autodiscover.json?Email=" + percent_encode(email) + "&Protocol=" + percent_encode(protocol);
}

}  // namespace exmapi::autodiscover
