#include "harness/core/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

#include "harness/core/files.h"

namespace faultline {

std::string StateRoot() {
  const char* env = std::getenv("FAULTLINE_STATE_DIR");
  return env && *env ? env : "/run/faultline";
}

std::string RunsDir() {
  return StateRoot() + "/runs";
}

Journal::Journal(std::string run_id, std::string run_dir, int journal_fd, int lock_fd)
    : run_id_(std::move(run_id)),
      run_dir_(std::move(run_dir)),
      journal_fd_(journal_fd),
      lock_fd_(lock_fd) {}

Journal::~Journal() {
  if (journal_fd_ >= 0) close(journal_fd_);
  if (lock_fd_ >= 0) close(lock_fd_);
}

std::string ClustersDir() {
  return StateRoot() + "/clusters";
}

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& run_id) {
  return OpenIn(RunsDir(), run_id, run_id);
}

Result<std::unique_ptr<Journal>> Journal::OpenIn(const std::string& parent, const std::string& name,
                                                 const std::string& run_id) {
  const std::string run_dir = parent + "/" + name;
  FL_RETURN_IF_ERROR(MakeDirs(parent, 0700));
  if (mkdir(run_dir.c_str(), 0700) != 0) {
    return Error{errno == EEXIST ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                 "cannot create " + run_dir + ": " + std::strerror(errno),
                 {}};
  }
  // Until the journal holds its first entry, a failure must not leave a directory behind that
  // recover could not account for.
  auto fail = [&](const std::string& what, int error, int lock_fd) -> Error {
    if (lock_fd >= 0) close(lock_fd);
    (void)RemoveTree(run_dir);
    return ErrnoError(what + " in " + run_dir, error);
  };
  int lock_fd = open((run_dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return fail("cannot create the lock", errno, -1);
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) return fail("cannot take the lock", errno, lock_fd);
  int fd = open((run_dir + "/journal").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create the journal", errno, lock_fd);
  std::unique_ptr<Journal> journal(new Journal(run_id, run_dir, fd, lock_fd));
  // The run directory is the first entry: recover removes it last.
  auto dir_entry = journal->Acquire(journal_kind::kDir, {{"path", run_dir}});
  if (!dir_entry.ok()) {
    journal.reset();
    (void)RemoveTree(run_dir);
    return std::move(dir_entry).error();
  }
  journal->dir_seq_ = *dir_entry;
  return journal;
}

Status Journal::Append(const nlohmann::json& record, bool sync) {
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const off_t before = lseek(journal_fd_, 0, SEEK_END);
  if (write(journal_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    int error = errno;
    // A torn line would swallow the next record: cut it off again.
    if (before >= 0) (void)!ftruncate(journal_fd_, before);
    return ErrnoError("cannot append to journal", error);
  }
  if (sync && fdatasync(journal_fd_) != 0) return ErrnoError("cannot sync journal", errno);
  return OkStatus();
}

Result<std::uint64_t> Journal::Acquire(const std::string& kind, nlohmann::json data) {
  std::lock_guard lock(mu_);
  std::uint64_t seq = next_seq_++;
  FL_RETURN_IF_ERROR(
      Append({{"seq", seq}, {"op", "acquire"}, {"kind", kind}, {"data", std::move(data)}}, true));
  open_.insert(seq);
  return seq;
}

void Journal::Release(std::uint64_t seq) {
  std::lock_guard lock(mu_);
  if (Append({{"seq", seq}, {"op", "release"}}, false).ok()) open_.erase(seq);
}

Status Journal::Close() {
  std::size_t still_open = 0;
  {
    std::lock_guard lock(mu_);
    still_open = open_.size() - open_.count(dir_seq_);
  }
  Status status = OkStatus();
  if (still_open == 0) {
    status = RemoveTree(run_dir_);
  } else {
    // Keep the journal: it is the only record of what is left for `faultline recover`.
    status = Internal(std::to_string(still_open) + " resource(s) of run " + run_id_ +
                      " could not be removed; `faultline recover` will retry");
  }
  close(journal_fd_);
  journal_fd_ = -1;
  close(lock_fd_);  // releases the lock: recover may now take over
  lock_fd_ = -1;
  return status;
}

Result<std::vector<JournalEntry>> ReadOutstanding(const std::string& journal_path) {
  FL_ASSIGN_OR_RETURN(std::string text, ReadFile(journal_path));
  std::map<std::uint64_t, JournalEntry> open;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !record.is_object()) continue;  // torn write
    auto seq = record.value("seq", std::uint64_t{0});
    if (record.value("op", "") == "acquire") {
      open[seq] = {seq, record.value("kind", ""), record.value("data", nlohmann::json::object())};
    } else {
      open.erase(seq);
    }
  }
  std::vector<JournalEntry> entries;
  for (auto& [seq, entry] : open) entries.push_back(std::move(entry));
  return entries;
}

Status AppendRelease(const std::string& journal_path, std::uint64_t seq) {
  const int fd = open(journal_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot open " + journal_path, errno);
  const std::string line = nlohmann::json{{"seq", seq}, {"op", "release"}}.dump() + "\n";
  const bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  fdatasync(fd) == 0;
  const int error = errno;
  close(fd);
  if (!ok) return ErrnoError("cannot append to " + journal_path, error);
  return OkStatus();
}

bool RunIsLive(const std::string& run_dir) {
  int fd = open((run_dir + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  bool live = flock(fd, LOCK_EX | LOCK_NB) != 0;
  close(fd);
  return live;
}

}  // namespace faultline
