#include "reports/csv.h"

#include <gtest/gtest.h>

namespace faultline::reports {
namespace {

TEST(Csv, OneRowPerSampleWithPhaseColumnsInTimeOrder) {
  Result result;
  Sample a;
  a.step = "storm";
  a.target = "runc";
  a.container = "fl-1-storm-runc-r0-0";
  a.node = "local";
  a.op = "run";
  a.start_ns = 1000;
  a.duration_ns = 25000000;
  a.scheduled_ns = 400;  // released at 400, issued at 1000: 600 ns waited
  a.phases = {{"user_exec", 20000000}, {"runtime_exec", 1000000}};
  Sample b = a;
  b.scheduled_ns = 0;
  b.op = "start";
  b.ok = false;
  b.error = "runc start: exited with status 1: \"no such file\", see\nlog";
  b.phases.clear();
  result.samples = {a, b};
  EXPECT_EQ(RenderSamplesCsv(result),
            "step,target,repetition,container,node,op,start_ns,duration_ns,scheduled_ns,latency_ns,"
            "timing,ok,error,phase.runtime_exec_ns,phase.user_exec_ns\r\n"
            "storm,runc,0,fl-1-storm-runc-r0-0,local,run,1000,25000000,400,25000600,kernel,true,,"
            "1000000,20000000\r\n"
            "storm,runc,0,fl-1-storm-runc-r0-0,local,start,1000,25000000,,25000000,wall,false,"
            "\"runc start: exited with status 1: \"\"no such file\"\", see\nlog\",,\r\n");
}

TEST(Csv, HeaderOnlyWithoutSamples) {
  EXPECT_EQ(RenderSamplesCsv(Result{}),
            "step,target,repetition,container,node,op,start_ns,duration_ns,scheduled_ns,"
            "latency_ns,timing,ok,error\r\n");
}

}  // namespace
}  // namespace faultline::reports
