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

using detail::FieldDecoder;
using detail::FieldEncoder;

// Which ActionData alternative each ActionType carries (MS-OXORULE 2.2.5.1.2): the one table both
// directions consult, the decoder to pick the layout and the encoder to refuse a mismatch.
constexpr size_t data_kind(uint8_t type) noexcept {
  switch (type) {
    case 0x01: case 0x02: return 0;  // MoveCopyActionData
    case 0x03: case 0x04: return 1;  // ReplyActionData
    case 0x05: return 2;             // DeferActionData
    case 0x06: return 3;             // BounceActionData
    case 0x07: case 0x08: return 4;  // ForwardDelegateActionData
    case 0x09: return 5;             // TagActionData
    case 0x0A: case 0x0B: return 6;  // EmptyActionData
    default: return 7;               // RawActionData
  }
}
static_assert(std::variant_size_v<ActionData> == 8);

template <size_t... I>
ActionData make_data(size_t kind, std::index_sequence<I...>) {
  ActionData d;
  ((kind == I ? (d.emplace<I>(), 0) : 0), ...);
  return d;
}

// The ActionData layouts, stated once for both directions. Counts are COUNT-wide: 2 bytes for
// standard rules, 4 for extended ones.
template <class IO, class D>
void fields(IO& io, D& d) {
  using T = std::remove_const_t<D>;
  unsigned cs = count_size(io.width);
  bool wide = io.width == CountWidth::Wide;
  if constexpr (std::is_same_v<T, MoveCopyActionData>) {
    if (!wide) {
      io.u8(d.folder_in_this_store, "FolderInThisStore");
    } else if constexpr (!IO::decoding) {
      if (d.folder_in_this_store != 0)
        throw EncodeError("FolderInThisStore", "extended rules have no FolderInThisStore field");
    }
    io.sized_bytes(d.store_eid, cs, "StoreEIDSize", "StoreEID");
    io.sized_bytes(d.folder_eid, cs, "FolderEIDSize", "FolderEID");
  } else if constexpr (std::is_same_v<T, ReplyActionData>) {
    if (wide) {
      if constexpr (!IO::decoding)
        if (d.reply_template_fid || d.reply_template_mid)
          throw EncodeError("ReplyTemplateFID", "extended rules name the template by MessageEID");
      io.sized_bytes(d.reply_template_message_eid, 4, "MessageEIDSize", "ReplyTemplateMessageEID");
    } else {
      if constexpr (!IO::decoding)
        if (!d.reply_template_message_eid.empty())
          throw EncodeError("ReplyTemplateMessageEID", "standard rules name the template by FID and MID");
      io.u64(d.reply_template_fid, "ReplyTemplateFID");
      io.u64(d.reply_template_mid, "ReplyTemplateMID");
    }
    io.guid(d.reply_template_guid, "ReplyTemplateGUID");
  } else if constexpr (std::is_same_v<T, DeferActionData>) {
    io.rest_bytes(d.data, "DeferredActionMessage");
  } else if constexpr (std::is_same_v<T, BounceActionData>) {
    io.u32(d.bounce_code, "BounceCode");
  } else if constexpr (std::is_same_v<T, ForwardDelegateActionData>) {
    // A RecipientBlockData takes at least Reserved and NoOfProperties; a property at least its tag.
    io.array(d.recipients, cs, 1 + cs, "RecipientCount", "RecipientBlocks", [&](auto& rb) {
      io.u8(rb.reserved, "Reserved");
      io.array(rb.properties, cs, 4, "NoOfProperties", "PropertyValues", [&](auto& p) { io.tagged(p, {}); });
    });
  } else if constexpr (std::is_same_v<T, TagActionData>) {
    io.tagged(d.property, "TaggedPropertyValue");
  } else if constexpr (std::is_same_v<T, EmptyActionData>) {
  } else if constexpr (std::is_same_v<T, RawActionData>) {
    io.rest_bytes(d.data, "ActionData");
  }
}

template <class IO, class B>
void header_fields(IO& io, B& b) {
  io.u8(b.action_type, "ActionType");
  io.u32(b.action_flavor, "ActionFlavor");
  io.u32(b.action_flags, "ActionFlags");
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
      // ActionLength delimits the block: the ActionData of the type must fill it exactly.
      size_t length = read_count(r, cs, "ActionLength");
      ByteReader body = r.sub(length, "ActionBlock");
      if (length < kActionHeaderSize)
        body.fail("ActionLength", "ActionLength " + std::to_string(length) +
                                      " is shorter than ActionType, ActionFlavor and ActionFlags (9 bytes)");
      FieldDecoder io{body, width, depth};
      ActionBlock b;
      header_fields(io, b);
      const char* name = action_type_name(b.action_type);
      std::string_view where = name ? name : "ActionData";
      in_field(where, [&] {
        b.data = make_data(data_kind(b.action_type), std::make_index_sequence<std::variant_size_v<ActionData>>{});
        std::visit([&](auto& d) { fields(io, d); }, b.data);
      });
      body.expect_end(where);
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
  FieldEncoder io{w, width, depth};
  for (const ActionBlock& b : actions.actions) {
    if (b.data.index() != data_kind(b.action_type)) {
      const char* name = action_type_name(b.action_type);
      throw EncodeError(name ? name : "ActionBlock", "ActionData does not belong to this ActionType");
    }
    size_t at = cs == 2 ? w.placeholder_u16() : w.placeholder_u32();
    size_t from = w.size();
    header_fields(io, b);
    std::visit([&](const auto& d) { fields(io, d); }, b.data);
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
