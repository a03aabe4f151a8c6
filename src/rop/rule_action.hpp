// Rule actions (MS-OXORULE 2.2.5): the value of PidTagRuleActions (PtypRuleAction) for standard
// rules and of PidTagExtendedRuleMessageActions for extended rules.
//
// RuleAction = NoOfActions, then that many ActionBlocks. ActionBlock = ActionLength, ActionType (1),
// ActionFlavor (4), ActionFlags (4), ActionData. ActionLength counts everything after itself, and
// the ActionData of the type must fill it exactly; bytes left over or missing are a DecodeError.
// An ActionType outside the table is kept as raw bytes, so it re-encodes as it came.
//
// Standard rules (CountWidth::Narrow) use 2-byte NoOfActions, ActionLength, RecipientCount and
// NoOfProperties; extended rules (CountWidth::Wide) use 4 bytes for each (MS-OXORULE 2.2.5,
// 2.2.5.1, 2.2.5.1.2.4, 2.2.5.1.2.4.1). OP_MOVE/OP_COPY and OP_REPLY/OP_OOF_REPLY also change their
// ActionData layout with the width (2.2.5.1.2.1, 2.2.5.1.2.2).
#pragma once

#include <optional>
#include <variant>
#include <vector>

#include "rop/property_value.hpp"

namespace exmapi::rop {

enum class ActionType : uint8_t {
  Move = 0x01,
  Copy = 0x02,
  Reply = 0x03,
  OofReply = 0x04,
  DeferAction = 0x05,
  Bounce = 0x06,
  Forward = 0x07,
  Delegate = 0x08,
  Tag = 0x09,
  Delete = 0x0A,
  MarkAsRead = 0x0B,
};
const char* action_type_name(uint8_t action_type) noexcept;  // "OP_MOVE", ... or nullptr

// OP_MOVE / OP_COPY, standard rules: FolderInThisStore (1), StoreEIDSize (2), StoreEID,
// FolderEIDSize (2), FolderEID (a ServerEid when the folder is in this store).
// Extended rules: StoreEIDSize (4), StoreEID, FolderEIDSize (4), FolderEID (a Folder EntryID).
// Entry IDs stay bytes here; entry_id.hpp interprets them.
struct MoveCopyActionData {
  uint8_t folder_in_this_store = 0;  // standard rules only
  Bytes store_eid;
  Bytes folder_eid;
  // The ServerEid form (Ours=1, FID, MID, Instance: the same layout as PtypServerId's body) of
  // folder_eid, when it has that form.
  std::optional<ServerId> folder_server_eid() const;
  friend bool operator==(const MoveCopyActionData&, const MoveCopyActionData&) = default;
};

// OP_REPLY / OP_OOF_REPLY, standard rules: ReplyTemplateFID (8), ReplyTemplateMID (8),
// ReplyTemplateGUID (16). Extended rules: MessageEIDSize (4), ReplyTemplateMessageEID, GUID (16).
struct ReplyActionData {
  uint64_t reply_template_fid = 0;  // standard rules
  uint64_t reply_template_mid = 0;  // standard rules
  Bytes reply_template_message_eid;  // extended rules
  Guid reply_template_guid;
  friend bool operator==(const ReplyActionData&, const ReplyActionData&) = default;
};

// OP_DEFER_ACTION: the DeferredActionMessage bytes, opaque to the server.
struct DeferActionData {
  Bytes data;
  friend bool operator==(const DeferActionData&, const DeferActionData&) = default;
};

// OP_BOUNCE: BounceCode (4).
struct BounceActionData {
  uint32_t bounce_code = 0;
  friend bool operator==(const BounceActionData&, const BounceActionData&) = default;
};

// OP_FORWARD / OP_DELEGATE: RecipientCount, then RecipientBlockData (Reserved (1), NoOfProperties,
// TaggedPropertyValues).
struct RecipientBlock {
  uint8_t reserved = 0x01;
  std::vector<TaggedPropertyValue> properties;
  friend bool operator==(const RecipientBlock&, const RecipientBlock&) = default;
};
struct ForwardDelegateActionData {
  std::vector<RecipientBlock> recipients;
  friend bool operator==(const ForwardDelegateActionData&, const ForwardDelegateActionData&) = default;
};

// OP_TAG: one TaggedPropertyValue.
struct TagActionData {
  TaggedPropertyValue property;
  friend bool operator==(const TagActionData&, const TagActionData&) = default;
};

// OP_DELETE, OP_MARK_AS_READ: no ActionData.
struct EmptyActionData {
  friend bool operator==(const EmptyActionData&, const EmptyActionData&) = default;
};

// An ActionType outside the table: its ActionData bytes as they came.
struct RawActionData {
  Bytes data;
  friend bool operator==(const RawActionData&, const RawActionData&) = default;
};

using ActionData = std::variant<MoveCopyActionData, ReplyActionData, DeferActionData, BounceActionData,
                                ForwardDelegateActionData, TagActionData, EmptyActionData, RawActionData>;

struct ActionBlock {
  uint8_t action_type = 0;     // ActionType value; a byte so unknown types survive
  uint32_t action_flavor = 0;  // per type: reply/forward flavor bits, else 0
  uint32_t action_flags = 0;   // client-defined
  ActionData data = EmptyActionData{};
  friend bool operator==(const ActionBlock&, const ActionBlock&) = default;
};

struct RuleActions {
  std::vector<ActionBlock> actions;
  friend bool operator==(const RuleActions&, const RuleActions&) = default;
};

RuleActions decode_rule_actions(ByteReader& r, CountWidth width);
void encode_rule_actions(ByteWriter& w, const RuleActions& actions, CountWidth width);

std::string describe(const RuleActions& a);

namespace detail {
RuleActions decode_rule_actions(ByteReader& r, CountWidth width, unsigned depth);
void encode_rule_actions(ByteWriter& w, const RuleActions& actions, CountWidth width, unsigned depth);
void describe_rule_actions(std::string& out, const RuleActions& a);
}  // namespace detail

}  // namespace exmapi::rop
