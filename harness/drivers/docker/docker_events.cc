#include "harness/drivers/docker/docker_events.h"

#include <nlohmann/json.hpp>

#include "harness/drivers/docker/engine_api.h"

namespace faultline::drivers::docker {
namespace {

constexpr auto kReconnectPause = std::chrono::milliseconds(50);
constexpr auto kLineWait = std::chrono::seconds(1);

std::int64_t EpochNowNs() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

DieEvents::DieEvents(std::string socket, std::string api_version, std::string run_id)
    : socket_(std::move(socket)),
      api_version_(std::move(api_version)),
      run_id_(std::move(run_id)),
      last_ns_(EpochNowNs()) {
  follower_ = std::thread([this] { Follow(); });
}

DieEvents::~DieEvents() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (stream_) stream_->Close();
  }
  changed_.notify_all();
  follower_.join();
}

http::Request DieEvents::Request(std::int64_t since_ns) const {
  const nlohmann::json filters = {{"type", {"container"}},
                                  {"event", {"die"}},
                                  {"label", {std::string(kRunLabel) + "=" + run_id_}}};
  char since[32];
  std::snprintf(since, sizeof since, "%lld.%09lld",
                static_cast<long long>(since_ns / 1'000'000'000),
                static_cast<long long>(since_ns % 1'000'000'000));
  return {
      "GET",
      "/v" + api_version_ + "/events?since=" + since + "&filters=" + PercentEncode(filters.dump()),
      ""};
}

void DieEvents::Follow() {
  for (;;) {
    std::int64_t since;
    {
      std::unique_lock lock(mu_);
      if (stop_) return;
      since = last_ns_;
    }
    auto opened = http::Stream::Open(socket_, Request(since), std::chrono::seconds(2));
    if (!opened.ok() || (*opened)->status() != 200) {
      // The daemon is away (not started yet, or killed by a fault): try again shortly.
      std::unique_lock lock(mu_);
      changed_.wait_for(lock, kReconnectPause, [this] { return stop_; });
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      stream_ = std::move(*opened);
    }
    for (;;) {
      auto line = stream_->NextLine(kLineWait);
      if (!line.ok()) {
        if (line.error().code == ErrorCode::kDeadlineExceeded) continue;
        break;  // closed: the daemon went away, or we are stopping
      }
      auto event = nlohmann::json::parse(*line, nullptr, false);
      if (!event.is_object()) continue;
      const std::int64_t at = event.value("timeNano", std::int64_t{0});
      const auto& actor = event.contains("Actor") ? event["Actor"] : nlohmann::json::object();
      const auto& attributes =
          actor.contains("Attributes") ? actor["Attributes"] : nlohmann::json::object();
      exits_.Record(attributes.value("name", ""), at ? BootNsOfRealtime(at) : BootNowNs());
      std::lock_guard lock(mu_);
      if (at > last_ns_) last_ns_ = at;
    }
    std::lock_guard lock(mu_);
    stream_.reset();
  }
}

}  // namespace faultline::drivers::docker
