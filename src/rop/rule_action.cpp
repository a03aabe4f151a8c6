#include "rop/rule_action.hpp"

#include <cstdio>

#include "rop/restriction.hpp"

namespace exmapi::rop {

const char* action_type_name(uint8_t t) noexcept {
  switch (t) {
    case 0x01: return "OP_MOVE";
    case 0x02: return "OP_COPY";
    case 0x03: return "OP_REPLY";
    case 0x04: return "OP_OOF_REPLY";
    case 0x05: return "OP_DEFER_ACTION";
    case 0x06: return "OP_BOUNCE";
    case 0x07: return "OP_FORWARD";
    case 0x08: return "OP_DELEGATE";
    case 0x09: return "OP_TAG";
    case 0x0A: return "OP_DELETE";
    case 0x0B: return "OP_MARK_AS_READ";
    default: return nullptr;
  }
}

std::optional<ServerId> MoveCopyActionData::folder_server_eid() const {
  // ServerEid (MS-OXORULE 2.2.5.1.2.1.1): Ours (1) = 0x01, FolderId (8), MessageId (8), Instance (4).
  if (folder_eid.size() != 21 || folder_eid[0] != 0x01) return std::nullopt;
  ByteReader r(folder_eid);
  ServerId id;
  id.ours = r.u8("Ours");
  id.folder_id = r.u64("FolderId");
  id.message_id = r.u64("MessageId");
  id.instance = r.u32("Instance");
  return id;
}

namespace {

// ActionType (1) + ActionFlavor (4) + ActionFlags (4): the part of ActionLength before ActionData.
constexpr size_t kActionHeaderSize = 9;

template <class Fn>
decltype(auto) at_index(std::string_view field, size_t i, Fn&& fn) {
  try {
    return fn();
  } catch (DecodeError& e) {
    e.prepend("[" + std::to_string(i) + "]");
    e.prepend(field);
    throw;
  }
}

Bytes sized_bytes(ByteReader& r, unsigned count_bytes, std::string_view size_field, std::string_view field) {
  size_t n = detail::read_count(r, count_bytes, size_field);
  ByteView b = r.bytes(n, field);
  return Bytes(b.begin(), b.end());
}

void write_sized_bytes(ByteWriter& w, unsigned count_bytes, const Bytes& b, std::string_view size_field) {
  detail::write_count(w, count_bytes, b.size(), size_field);
  w.bytes(b);
}

ActionData decode_action_data(ByteReader& r, uint8_t type, CountWidth width, unsigned depth) {
  unsigned cs = count_size(width);
  bool wide = width == CountWidth::Wide;
  switch (type) {
    case 0x01:  // OP_MOVE
    case 0x02: {  // OP_COPY
      MoveCopyActionData d;
      if (!wide) d.folder_in_this_store = r.u8("FolderInThisStore");
      d.store_eid = sized_bytes(r, cs, "StoreEIDSize", "StoreEID");
      d.folder_eid = sized_bytes(r, cs, "FolderEIDSize", "FolderEID");
      return d;
    }
    case 0x03:  // OP_REPLY
    case 0x04: {  // OP_OOF_REPLY
      ReplyActionData d;
      if (wide) {
        d.reply_template_message_eid = sized_bytes(r, 4, "MessageEIDSize", "ReplyTemplateMessageEID");
      } else {
        d.reply_template_fid = r.u64("ReplyTemplateFID");
        d.reply_template_mid = r.u64("ReplyTemplateMID");
      }
      d.reply_template_guid = Guid::read(r, "ReplyTemplateGUID");
      return d;
    }
    case 0x05: {  // OP_DEFER_ACTION
      ByteView b = r.bytes(r.remaining(), "DeferredActionMessage");
      return DeferActionData{Bytes(b.begin(), b.end())};
    }
    case 0x06:  // OP_BOUNCE
      return BounceActionData{r.u32("BounceCode")};
    case 0x07:  // OP_FORWARD
    case 0x08: {  // OP_DELEGATE
      ForwardDelegateActionData d;
      size_t n = r.count(detail::read_count(r, cs, "RecipientCount"), 1 + cs, "RecipientCount");
      d.recipients.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        d.recipients.push_back(at_index("RecipientBlocks", i, [&] {
          RecipientBlock b;
          b.reserved = r.u8("Reserved");
          size_t m = r.count(detail::read_count(r, cs, "NoOfProperties"), 4, "NoOfProperties");
          b.properties.reserve(m);
          for (size_t k = 0; k < m; ++k)
            b.properties.push_back(
                at_index("PropertyValues", k, [&] { return detail::decode_tagged(r, width, depth + 1); }));
          return b;
        }));
      }
      return d;
    }
    case 0x09:  // OP_TAG
      return TagActionData{detail::decode_tagged(r, width, depth + 1)};
    case 0x0A:  // OP_DELETE
    case 0x0B:  // OP_MARK_AS_READ
      return EmptyActionData{};
    default: {
      ByteView b = r.bytes(r.remaining(), "ActionData");
      return RawActionData{Bytes(b.begin(), b.end())};
    }
  }
}

[[noreturn]] void mismatch(uint8_t type) {
  const char* name = action_type_name(type);
  throw EncodeError(name ? name : "ActionBlock", "ActionData does not belong to this ActionType");
}

template <class T>
const T& data_as(const ActionBlock& b) {
  if (const T* p = std::get_if<T>(&b.data)) return *p;
  mismatch(b.action_type);
}

void encode_action_data(ByteWriter& w, const ActionBlock& b, CountWidth width, unsigned depth) {
  unsigned cs = count_size(width);
  bool wide = width == CountWidth::Wide;
  switch (b.action_type) {
    case 0x01:
    case 0x02: {
      const auto& d = data_as<MoveCopyActionData>(b);
      if (wide) {
        if (d.folder_in_this_store != 0)
          throw EncodeError("FolderInThisStore", "extended rules have no FolderInThisStore field");
      } else {
        w.u8(d.folder_in_this_store);
      }
      write_sized_bytes(w, cs, d.store_eid, "StoreEIDSize");
      write_sized_bytes(w, cs, d.folder_eid, "FolderEIDSize");
      return;
    }
    case 0x03:
    case 0x04: {
      const auto& d = data_as<ReplyActionData>(b);
      if (wide) {
        if (d.reply_template_fid || d.reply_template_mid)
          throw EncodeError("ReplyTemplateFID", "extended rules name the template by MessageEID");
        write_sized_bytes(w, 4, d.reply_template_message_eid, "MessageEIDSize");
      } else {
        if (!d.reply_template_message_eid.empty())
          throw EncodeError("ReplyTemplateMessageEID", "standard rules name the template by FID and MID");
        w.u64(d.reply_template_fid);
        w.u64(d.reply_template_mid);
      }
      d.reply_template_guid.write(w);
      return;
    }
    case 0x05:
      w.bytes(data_as<DeferActionData>(b).data);
      return;
    case 0x06:
      w.u32(data_as<BounceActionData>(b).bounce_code);
      return;
    case 0x07:
    case 0x08: {
      const auto& d = data_as<ForwardDelegateActionData>(b);
      detail::write_count(w, cs, d.recipients.size(), "RecipientCount");
      for (const auto& rb : d.recipients) {
        w.u8(rb.reserved);
        detail::write_count(w, cs, rb.properties.size(), "NoOfProperties");
        for (const auto& p : rb.properties) detail::encode_tagged(w, p, width, depth + 1);
      }
      return;
    }
    case 0x09:
      detail::encode_tagged(w, data_as<TagActionData>(b).property, width, depth + 1);
      return;
    case 0x0A:
    case 0x0B:
      data_as<EmptyActionData>(b);
      return;
    default:
      w.bytes(data_as<RawActionData>(b).data);
      return;
  }
}

}  // namespace

RuleActions detail::decode_rule_actions(ByteReader& r, CountWidth width, unsigned depth) {
  if (depth >= kMaxNestingDepth)
    r.fail("RuleAction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
  unsigned cs = count_size(width);
  RuleActions out;
  size_t n = r.count(read_count(r, cs, "NoOfActions"), cs + kActionHeaderSize, "NoOfActions");
  out.actions.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out.actions.push_back(at_index("ActionBlocks", i, [&] {
      size_t length = read_count(r, cs, "ActionLength");
      ByteReader body = r.sub(length, "ActionBlock");
      if (length < kActionHeaderSize)
        body.fail("ActionLength", "ActionLength " + std::to_string(length) +
                                      " is shorter than ActionType, ActionFlavor and ActionFlags (9 bytes)");
      ActionBlock b;
      b.action_type = body.u8("ActionType");
      b.action_flavor = body.u32("ActionFlavor");
      b.action_flags = body.u32("ActionFlags");
      const char* name = action_type_name(b.action_type);
      b.data = in_field(name ? name : "ActionData", [&] { return decode_action_data(body, b.action_type, width, depth); });
      body.expect_end(name ? name : "ActionData");
      return b;
    }));
  }
  return out;
}

void detail::encode_rule_actions(ByteWriter& w, const RuleActions& actions, CountWidth width, unsigned depth) {
  if (depth >= kMaxNestingDepth)
    throw EncodeError("RuleAction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
  unsigned cs = count_size(width);
  write_count(w, cs, actions.actions.size(), "NoOfActions");
  for (const ActionBlock& b : actions.actions) {
    size_t at = cs == 2 ? w.placeholder_u16() : w.placeholder_u32();
    size_t from = w.size();
    w.u8(b.action_type);
    w.u32(b.action_flavor);
    w.u32(b.action_flags);
    encode_action_data(w, b, width, depth);
    if (cs == 2) {
      w.patch_u16_length(at, from, "ActionLength");
    } else {
      size_t len = w.size() - from;
      if (len > 0xFFFFFFFFu) throw EncodeError("ActionLength", "action block exceeds 4 GiB");
      w.patch_u32(at, static_cast<uint32_t>(len));
    }
  }
}

RuleActions decode_rule_actions(ByteReader& r, CountWidth width) { return detail::decode_rule_actions(r, width, 0); }
void encode_rule_actions(ByteWriter& w, const RuleActions& actions, CountWidth width) {
  detail::encode_rule_actions(w, actions, width, 0);
}

void detail::describe_rule_actions(std::string& out, const RuleActions& a) {
  out += '[';
  for (size_t i = 0; i < a.actions.size(); ++i) {
    const ActionBlock& b = a.actions[i];
    if (i) out += ", ";
    const char* name = action_type_name(b.action_type);
    char buf[96];
    if (name)
      out += name;
    else {
      std::snprintf(buf, sizeof buf, "ActionType 0x%02X", b.action_type);
      out += buf;
    }
    std::snprintf(buf, sizeof buf, "(flavor 0x%X, flags 0x%X", b.action_flavor, b.action_flags);
    out += buf;
    std::visit(
        [&](const auto& d) {
          using D = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<D, MoveCopyActionData>) {
            out += d.folder_in_this_store ? ", in this store" : "";
            out += ", store ";
            append_hex(out, d.store_eid);
            out += ", folder ";
            append_hex(out, d.folder_eid);
          } else if constexpr (std::is_same_v<D, ReplyActionData>) {
            if (!d.reply_template_message_eid.empty()) {
              out += ", template ";
              append_hex(out, d.reply_template_message_eid);
            } else {
              std::snprintf(buf, sizeof buf, ", template FID 0x%016llX MID 0x%016llX",
                            static_cast<unsigned long long>(d.reply_template_fid),
                            static_cast<unsigned long long>(d.reply_template_mid));
              out += buf;
            }
            out += ", " + d.reply_template_guid.to_string();
          } else if constexpr (std::is_same_v<D, DeferActionData> || std::is_same_v<D, RawActionData>) {
            out += ", data ";
            append_hex(out, d.data);
          } else if constexpr (std::is_same_v<D, BounceActionData>) {
            out += ", bounce code " + std::to_string(d.bounce_code);
          } else if constexpr (std::is_same_v<D, ForwardDelegateActionData>) {
            for (const auto& rb : d.recipients) {
              out += ", recipient {";
              for (size_t k = 0; k < rb.properties.size(); ++k) {
                if (k) out += ", ";
                out += describe(rb.properties[k]);
              }
              out += '}';
            }
          } else if constexpr (std::is_same_v<D, TagActionData>) {
            out += ", " + describe(d.property);
          }
        },
        b.data);
    out += ')';
  }
  out += ']';
}

std::string describe(const RuleActions& a) {
  std::string out;
  detail::describe_rule_actions(out, a);
  return out;
}

}  // namespace exmapi::rop
