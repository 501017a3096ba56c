#include "chaos/support/recorded_fault.h"

#include <arpa/inet.h>

#include "chaos/support/ownership.h"

namespace faultline::chaos {
namespace {

class RecordedFault : public ActiveFault {
 public:
  RecordedFault(Journal& journal, std::uint64_t seq, std::string run_id, nlohmann::json data,
                UndoFn undo, std::vector<HelperProcess> helpers)
      : journal_(journal),
        seq_(seq),
        run_id_(std::move(run_id)),
        data_(std::move(data)),
        undo_(std::move(undo)),
        helpers_(std::move(helpers)) {}

  Status Revert() override {
    if (reverted_) return OkStatus();
    FL_RETURN_IF_ERROR(undo_(run_id_, data_));
    journal_.Release(seq_);
    helpers_.clear();  // reaps them
    reverted_ = true;
    return OkStatus();
  }

 private:
  Journal& journal_;
  std::uint64_t seq_;
  std::string run_id_;
  nlohmann::json data_;
  UndoFn undo_;
  std::vector<HelperProcess> helpers_;
  bool reverted_ = false;
};

}  // namespace

Result<std::unique_ptr<ActiveFault>> InjectRecorded(const FaultParams& params, Journal& journal,
                                                    const std::string& mechanism,
                                                    nlohmann::json undo, const UndoFn& undo_fn,
                                                    const ApplyFn& apply) {
  nlohmann::json data = {{"kind", params.kind},
                         {"mechanism", mechanism},
                         {"expires_ns", params.expires_ns},
                         {"undo", std::move(undo)}};
  FL_ASSIGN_OR_RETURN(std::uint64_t seq, journal.Acquire(kFaultJournalKind, data));
  std::vector<HelperProcess> helpers;
  Status applied = apply(helpers);
  if (!applied.ok()) {
    Status undone = undo_fn(params.run_id, data);
    if (undone.ok()) {
      journal.Release(seq);
    } else {
      return std::move(applied).error().With("undo after the failure also failed (" +
                                             undone.error().ToString() +
                                             "); left in the journal for recover");
    }
    return std::move(applied).error().With("while injecting " + params.kind);
  }
  return std::unique_ptr<ActiveFault>(
      new RecordedFault(journal, seq, params.run_id, std::move(data), undo_fn, std::move(helpers)));
}

Result<nlohmann::json> UndoSection(const nlohmann::json& data, std::string* type) {
  if (!data.is_object() || !data.contains("undo") || !data["undo"].is_object() ||
      !data["undo"].contains("type") || !data["undo"]["type"].is_string()) {
    return InvalidArgument("fault record without an undo section with a type");
  }
  *type = data["undo"]["type"].get<std::string>();
  return data["undo"];
}

Status CheckNodes(const std::string& run_id, const std::vector<NodeRef>& nodes) {
  if (nodes.empty()) return InvalidArgument("the fault names no nodes");
  for (const auto& node : nodes) {
    if (!IsRunNetns(run_id, node.netns)) {
      return InvalidArgument("node " + node.name + ": namespace " + node.netns +
                             " is not one of run " + run_id);
    }
    if (!IsLinkName(node.link)) {
      return InvalidArgument("node " + node.name + ": bad interface name '" + node.link + "'");
    }
    in_addr addr{};
    if (inet_pton(AF_INET, node.address.c_str(), &addr) != 1 ||
        (ntohl(addr.s_addr) & 0xfffe0000u) != 0xc6120000u) {
      return InvalidArgument("node " + node.name + ": address '" + node.address +
                             "' is not an IPv4 address in 198.18.0.0/15");
    }
  }
  return OkStatus();
}

}  // namespace faultline::chaos
