"""The registry of audit tags: every `audit.record(..., tag=...)` names one of these (docs/design.md rule 5).

One list, so a reader of the public audit log can look up every tag it may contain, and a typo is a name
error instead of a new kind of entry. A tag is `<entity>:<verb>`, lower case, words joined by `-`; a member's
name is its value in upper snake case (`PETITION_SIGN = "petition:sign"`), which the tests check. The values
are stored in audit entries, covered by the hash chain and shown on the public audit page, so they never
change: a new spelling is a new member, and the old one stays for the entries that carry it.

`house_rules` fails on a tag spelled as a string anywhere else.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AuditTag(StrEnum):
    # petitions
    PETITION_ANSWER = "petition:answer"
    PETITION_ANSWER_OVERDUE = "petition:answer-overdue"
    PETITION_CLOSE = "petition:close"
    PETITION_CONSIDERATION_START = "petition:consideration-start"
    PETITION_CREATE = "petition:create"
    PETITION_EDIT = "petition:edit"
    PETITION_PUBLISH = "petition:publish"
    PETITION_REJECT = "petition:reject"
    PETITION_SIGN = "petition:sign"
    PETITION_SIGNATURE_REMOVE = "petition:signature-remove"
    PETITION_SUBMIT = "petition:submit"
    PETITION_THRESHOLD_REACHED = "petition:threshold-reached"
    # appeals
    APPEAL_ANSWER = "appeal:answer"
    APPEAL_EXTEND = "appeal:extend"
    APPEAL_FORWARD = "appeal:forward"
    APPEAL_RECEIVE = "appeal:receive"
    APPEAL_REFUSE = "appeal:refuse"
    APPEAL_REGISTER = "appeal:register"
    APPEAL_START = "appeal:start"
    APPEAL_SUBMIT = "appeal:submit"
    APPEAL_UNSATISFACTORY = "appeal:unsatisfactory"
    # consultations on draft acts, and the proposals made to them
    CONSULTATION_CLOSE = "consultation:close"
    CONSULTATION_CREATE = "consultation:create"
    CONSULTATION_EDIT = "consultation:edit"
    CONSULTATION_OPEN = "consultation:open"
    CONSULTATION_REPORT = "consultation:report"
    CONSULTATION_SUBSCRIBE = "consultation:subscribe"
    CONSULTATION_UNSUBSCRIBE = "consultation:unsubscribe"
    PROPOSAL_DECIDE = "proposal:decide"
    PROPOSAL_HIDE = "proposal:hide"
    PROPOSAL_SUBMIT = "proposal:submit"
    # accounts: e-mail verification, roles, and the admin screens of users and organisations
    ACCOUNT_AUTHORITY_CHANGE = "account:authority:change"
    ACCOUNT_AUTHORITY_CHANGE_INLINE = "account:authority:change:inline"
    ACCOUNT_CSO_CHANGE = "account:cso:change"
    ACCOUNT_CSO_CHANGE_INLINE = "account:cso:change:inline"
    ACCOUNT_EMAIL_VERIFIED = "account:email:verified"
    ACCOUNT_MEMBERSHIP_CHANGE = "account:membership:change"
    ACCOUNT_MEMBERSHIP_GRANT = "account:membership:grant"
    ACCOUNT_SIGN_UP = "account:sign-up"
    ACCOUNT_USER_CHANGE = "account:user:change"
    # documents
    DOCUMENT_REGISTER = "document:register"
    DOCUMENT_UPLOAD = "document:upload"
    # the kernel's admin screens: working-day calendar and legal rules
    CORE_CALENDAR_CHANGE = "core:calendar:change"
    CORE_RULE_CHANGE = "core:rule:change"
    # other admin screens
    ADMIN_APPEAL = "admin:appeal"
    ADMIN_APPEAL_EVENT = "admin:appeal-event"
    ADMIN_BROKER = "admin:broker"
    ADMIN_CONSULTATION = "admin:consultation"
    ADMIN_CONSULTATION_INLINE = "admin:consultation:inline"
    ADMIN_CONSULTATION_PROPOSAL = "admin:consultation-proposal"
    ADMIN_CONSULTATION_SUBSCRIPTION = "admin:consultation-subscription"
    # the one stop: subscriptions to authorities, regions, topics and items
    SUBSCRIPTION_FOLLOW = "subscription:follow"
    SUBSCRIPTION_FREQUENCY = "subscription:frequency"
    SUBSCRIPTION_UNFOLLOW = "subscription:unfollow"
    SUBSCRIPTION_EMAIL_STOP = "subscription:email-stop"
    # the auction CDB: lots, auctions, bids, awards, contracts, re-auction chains
    AUCTION_LOT_CREATE = "auction-lot:create"
    AUCTION_LOT_EDIT = "auction-lot:edit"
    AUCTION_LOT_PHOTO_ADD = "auction-lot:photo-add"
    AUCTION_LOT_TRANSFER = "auction-lot:transfer"
    AUCTION_LOT_UNSOLD = "auction-lot:unsold"
    AUCTION_AWARD_ACTIVATE = "auction:award-activate"
    AUCTION_AWARD_DEFAULT = "auction:award-default"
    AUCTION_AWARD_DISQUALIFY = "auction:award-disqualify"
    AUCTION_AWARD_WITHDRAW = "auction:award-withdraw"
    AUCTION_BID_CREATE = "auction:bid-create"
    AUCTION_BID_SUBMIT = "auction:bid-submit"
    AUCTION_BID_TRANSFER = "auction:bid-transfer"
    AUCTION_BID_WITHDRAW = "auction:bid-withdraw"
    AUCTION_CANCEL = "auction:cancel"
    AUCTION_CONTRACT_CANCEL = "auction:contract-cancel"
    AUCTION_CONTRACT_SIGN = "auction:contract-sign"
    AUCTION_CREATE = "auction:create"
    AUCTION_EDIT = "auction:edit"
    AUCTION_GUARANTEE_CONFIRM = "auction:guarantee-confirm"
    AUCTION_NEXT_ATTEMPT = "auction:next-attempt"
    AUCTION_PROTOCOL_UPLOAD = "auction:protocol-upload"
    AUCTION_PUBLISH = "auction:publish"
    AUCTION_RESULT = "auction:result"
    AUCTION_SKIP_AUCTION = "auction:skip-auction"
    AUCTION_START = "auction:start"
    AUCTION_TRANSFER = "auction:transfer"
    AUCTION_UNSUCCESSFUL = "auction:unsuccessful"
    # the live auction
    LIVE_BID = "live:bid"
    LIVE_FINISH = "live:finish"
    LIVE_OPEN = "live:open"
    # the broker API: keys (the admin screens, issue, revoke) and owner tokens
    BROKER_API_API_KEY = "broker-api:api-key"
    BROKER_API_API_KEY_ISSUE = "broker-api:api-key:issue"
    BROKER_API_API_KEY_REVOKE = "broker-api:api-key:revoke"
    BROKER_API_INTEGRATION_KEY = "broker-api:integration-key"
    BROKER_API_INTEGRATION_KEY_ISSUE = "broker-api:integration-key:issue"
    BROKER_API_INTEGRATION_KEY_REVOKE = "broker-api:integration-key:revoke"
    BROKER_API_OWNER_TOKEN_ISSUE = "broker-api:owner-token:issue"  # noqa: S105 - a tag, not a secret


def inline(tag: str) -> AuditTag:
    """The tag of a row edited inline in the admin screen of `tag`'s object (memberships of an authority)."""
    return AuditTag(f"{tag}:inline")


# What each change is called on the public audit page and in a lot's history, in the reader's language.
LABELS: dict[AuditTag, Promise] = {
    AuditTag.SUBSCRIPTION_FOLLOW: _("Someone subscribed to updates"),
    AuditTag.SUBSCRIPTION_UNFOLLOW: _("Someone unsubscribed from updates"),
    AuditTag.SUBSCRIPTION_FREQUENCY: _("A subscription's frequency was changed"),
    AuditTag.SUBSCRIPTION_EMAIL_STOP: _("Someone stopped update emails"),
    AuditTag.PETITION_ANSWER: _("The authority answered a petition"),
    AuditTag.PETITION_ANSWER_OVERDUE: _("A petition's answer became overdue"),
    AuditTag.PETITION_CLOSE: _("A petition's signature collection ended"),
    AuditTag.PETITION_CONSIDERATION_START: _("Consideration of a petition started"),
    AuditTag.PETITION_CREATE: _("A petition was drafted"),
    AuditTag.PETITION_EDIT: _("A petition draft was edited"),
    AuditTag.PETITION_PUBLISH: _("A petition was published"),
    AuditTag.PETITION_REJECT: _("A petition was rejected by moderation"),
    AuditTag.PETITION_SIGN: _("A petition was signed"),
    AuditTag.PETITION_SIGNATURE_REMOVE: _("A signature was removed"),
    AuditTag.PETITION_SUBMIT: _("A petition was submitted for moderation"),
    AuditTag.PETITION_THRESHOLD_REACHED: _("A petition gathered the signatures it needs"),
    AuditTag.APPEAL_ANSWER: _("An appeal was answered"),
    AuditTag.APPEAL_EXTEND: _("An appeal's term was extended"),
    AuditTag.APPEAL_FORWARD: _("An appeal was forwarded to another authority"),
    AuditTag.APPEAL_RECEIVE: _("An appeal was received"),
    AuditTag.APPEAL_REFUSE: _("An appeal was refused consideration"),
    AuditTag.APPEAL_REGISTER: _("An appeal was registered"),
    AuditTag.APPEAL_START: _("Consideration of an appeal started"),
    AuditTag.APPEAL_SUBMIT: _("An appeal was filed"),
    AuditTag.APPEAL_UNSATISFACTORY: _("An answer was marked unsatisfactory"),
    AuditTag.CONSULTATION_CLOSE: _("A consultation closed"),
    AuditTag.CONSULTATION_CREATE: _("A consultation was prepared"),
    AuditTag.CONSULTATION_EDIT: _("A consultation draft was edited"),
    AuditTag.CONSULTATION_OPEN: _("A consultation opened"),
    AuditTag.CONSULTATION_REPORT: _("A consultation report was published"),
    AuditTag.CONSULTATION_SUBSCRIBE: _("Someone subscribed to consultations"),
    AuditTag.CONSULTATION_UNSUBSCRIBE: _("Someone unsubscribed from consultations"),
    AuditTag.PROPOSAL_DECIDE: _("A decision was made on a proposal"),
    AuditTag.PROPOSAL_HIDE: _("A proposal was hidden"),
    AuditTag.PROPOSAL_SUBMIT: _("A proposal was made"),
    AuditTag.ACCOUNT_AUTHORITY_CHANGE: _("An authority's details were changed"),
    AuditTag.ACCOUNT_AUTHORITY_CHANGE_INLINE: _("An authority's roles were changed"),
    AuditTag.ACCOUNT_CSO_CHANGE: _("An organisation's details were changed"),
    AuditTag.ACCOUNT_CSO_CHANGE_INLINE: _("An organisation's roles were changed"),
    AuditTag.ACCOUNT_EMAIL_VERIFIED: _("An email address was confirmed"),
    AuditTag.ACCOUNT_MEMBERSHIP_CHANGE: _("A role was changed"),
    AuditTag.ACCOUNT_MEMBERSHIP_GRANT: _("A role was granted"),
    AuditTag.ACCOUNT_SIGN_UP: _("Someone registered"),
    AuditTag.ACCOUNT_USER_CHANGE: _("An account was changed by an administrator"),
    AuditTag.DOCUMENT_REGISTER: _("A document was registered"),
    AuditTag.DOCUMENT_UPLOAD: _("A document was uploaded"),
    AuditTag.CORE_CALENDAR_CHANGE: _("The working-day calendar was changed"),
    AuditTag.CORE_RULE_CHANGE: _("A legal rule was changed"),
    AuditTag.ADMIN_APPEAL: _("An administrator changed an appeal"),
    AuditTag.ADMIN_APPEAL_EVENT: _("An administrator changed an appeal's history"),
    AuditTag.ADMIN_BROKER: _("An administrator changed a platform"),
    AuditTag.ADMIN_CONSULTATION: _("An administrator changed a consultation"),
    AuditTag.ADMIN_CONSULTATION_INLINE: _("An administrator changed a consultation's parts"),
    AuditTag.ADMIN_CONSULTATION_PROPOSAL: _("An administrator changed a proposal"),
    AuditTag.ADMIN_CONSULTATION_SUBSCRIPTION: _("An administrator changed a subscription"),
    AuditTag.AUCTION_LOT_CREATE: _("A lot was listed"),
    AuditTag.AUCTION_LOT_EDIT: _("A lot was edited"),
    AuditTag.AUCTION_LOT_PHOTO_ADD: _("A photo of a lot was added"),
    AuditTag.AUCTION_LOT_TRANSFER: _("A lot moved to another platform"),
    AuditTag.AUCTION_LOT_UNSOLD: _("A lot was not sold"),
    AuditTag.AUCTION_AWARD_ACTIVATE: _("The winner was confirmed"),
    AuditTag.AUCTION_AWARD_DEFAULT: _("The winner did not pay in time"),
    AuditTag.AUCTION_AWARD_DISQUALIFY: _("The winner was disqualified"),
    AuditTag.AUCTION_AWARD_WITHDRAW: _("The winner withdrew"),
    AuditTag.AUCTION_BID_CREATE: _("A bidder applied"),
    AuditTag.AUCTION_BID_SUBMIT: _("A bid was submitted"),
    AuditTag.AUCTION_BID_TRANSFER: _("A bid moved to another platform"),
    AuditTag.AUCTION_BID_WITHDRAW: _("A bid was withdrawn"),
    AuditTag.AUCTION_CANCEL: _("An auction was cancelled"),
    AuditTag.AUCTION_CONTRACT_CANCEL: _("A contract was cancelled"),
    AuditTag.AUCTION_CONTRACT_SIGN: _("A contract was signed"),
    AuditTag.AUCTION_CREATE: _("An auction was announced"),
    AuditTag.AUCTION_EDIT: _("An auction was edited"),
    AuditTag.AUCTION_GUARANTEE_CONFIRM: _("A guarantee payment was confirmed"),
    AuditTag.AUCTION_NEXT_ATTEMPT: _("A lot was put up for another auction"),
    AuditTag.AUCTION_PROTOCOL_UPLOAD: _("The auction protocol was uploaded"),
    AuditTag.AUCTION_PUBLISH: _("An auction was published"),
    AuditTag.AUCTION_RESULT: _("The auction's result was recorded"),
    AuditTag.AUCTION_SKIP_AUCTION: _("A single bidder: the auction was not held"),
    AuditTag.AUCTION_START: _("Tendering ended: the auction began"),
    AuditTag.AUCTION_TRANSFER: _("An auction moved to another platform"),
    AuditTag.AUCTION_UNSUCCESSFUL: _("An auction was unsuccessful"),
    AuditTag.LIVE_BID: _("A bid was made in the live auction"),
    AuditTag.LIVE_FINISH: _("A live auction ended"),
    AuditTag.LIVE_OPEN: _("A live auction opened"),
    AuditTag.BROKER_API_API_KEY: _("An administrator changed a platform's API key"),
    AuditTag.BROKER_API_API_KEY_ISSUE: _("A platform's API key was issued"),
    AuditTag.BROKER_API_API_KEY_REVOKE: _("A platform's API key was revoked"),
    AuditTag.BROKER_API_INTEGRATION_KEY: _("An administrator changed an integration key"),
    AuditTag.BROKER_API_INTEGRATION_KEY_ISSUE: _("An integration key was issued"),
    AuditTag.BROKER_API_INTEGRATION_KEY_REVOKE: _("An integration key was revoked"),
    AuditTag.BROKER_API_OWNER_TOKEN_ISSUE: _("A platform received the right to change an object"),
}


def label(tag: str) -> str:
    """The tag in words; a tag without words (none today: a test checks) shows as itself."""
    try:
        return str(LABELS[AuditTag(tag)])
    except (ValueError, KeyError):
        return tag
