// The request bodies the docker driver sends, checked against the Engine API's own description
// (swagger.yaml of Debian's golang-github-docker-docker-dev, fetched by ci/setup).
#include "harness/drivers/docker/engine_api.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "harness/core/files.h"

namespace faultline::drivers::docker {
namespace {

class EngineApiSpec : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(PathExists(FAULTLINE_DOCKER_SWAGGER))
        << FAULTLINE_DOCKER_SWAGGER << " is missing: ci/setup fetches it";
    spec_ = YAML::LoadFile(FAULTLINE_DOCKER_SWAGGER);
  }

  // The properties of SCHEMA, through $ref and allOf: name -> property schema.
  std::map<std::string, YAML::Node> Properties(const YAML::Node& schema) {
    std::map<std::string, YAML::Node> out;
    if (schema["$ref"]) {
      const std::string ref = schema["$ref"].as<std::string>();  // "#/definitions/X"
      return Properties(spec_["definitions"][ref.substr(ref.rfind('/') + 1)]);
    }
    if (schema["allOf"]) {
      for (const auto& part : schema["allOf"]) out.merge(Properties(part));
    }
    if (schema["properties"]) {
      for (const auto& property : schema["properties"]) {
        out[property.first.as<std::string>()] = property.second;
      }
    }
    return out;
  }

  // Every field of BODY is a property of SCHEMA, of the type it declares.
  void ExpectConforms(const nlohmann::json& body, const YAML::Node& schema,
                      const std::string& path) {
    const auto properties = Properties(schema);
    for (const auto& [name, value] : body.items()) {
      auto found = properties.find(name);
      ASSERT_NE(found, properties.end()) << path << "." << name << " is not in the Engine API";
      const YAML::Node& property = found->second;
      if (property["$ref"] || property["allOf"]) {
        ExpectConforms(value, property, path + "." + name);
        continue;
      }
      const std::string type = property["type"] ? property["type"].as<std::string>() : "";
      const std::map<std::string, bool> matches = {{"integer", value.is_number_integer()},
                                                   {"string", value.is_string()},
                                                   {"array", value.is_array()},
                                                   {"object", value.is_object()},
                                                   {"boolean", value.is_boolean()}};
      auto match = matches.find(type);
      ASSERT_NE(match, matches.end())
          << path << "." << name << ": unexpected type '" << type << "'";
      EXPECT_TRUE(match->second) << path << "." << name << " is not of type " << type;
    }
  }

  YAML::Node spec_;
};

TEST_F(EngineApiSpec, CreateBodyFollowsTheContainerCreateSchema) {
  ContainerSpec spec;
  spec.id = "fl-run1-a";
  spec.command = {"sleep", "60"};
  spec.resources.memory_bytes = 64 << 20;
  spec.resources.cpus = 0.5;
  spec.resources.pids = 64;
  const nlohmann::json body =
      CreateBody(spec, "faultline.local/image:abc", "crun", "run1", scenario::Security::kUnconfined,
                 "/faultline/run1/node-1/fl-run1-ep-containers");
  EXPECT_EQ(spec_["info"]["version"].as<std::string>(), kApiVersion);
  YAML::Node create_body;
  for (const auto& parameter : spec_["paths"]["/containers/create"]["post"]["parameters"]) {
    if (parameter["in"].as<std::string>() == "body") create_body = parameter["schema"];
  }
  ASSERT_TRUE(create_body) << "no body parameter for POST /containers/create";
  ExpectConforms(body, create_body, "body");
  // What the driver relies on, not only what the API allows.
  EXPECT_EQ(body["HostConfig"]["NetworkMode"], "host");
  EXPECT_EQ(body["HostConfig"]["NanoCpus"], 500'000'000);
  EXPECT_EQ(body["HostConfig"]["Runtime"], "crun");
  EXPECT_EQ(body["Labels"]["faultline.run"], "run1");
  EXPECT_EQ(body["HostConfig"]["CgroupParent"], "/faultline/run1/node-1/fl-run1-ep-containers");
  EXPECT_EQ(body["HostConfig"]["SecurityOpt"], nlohmann::json({"seccomp=unconfined"}));
  const nlohmann::json confined =
      CreateBody(spec, "i", "runc", "run1", scenario::Security::kDefault);
  EXPECT_FALSE(confined["HostConfig"].contains("CgroupParent"))
      << "a daemon of faultline's own has the parent as its --cgroup-parent";
  EXPECT_FALSE(confined["HostConfig"].contains("SecurityOpt")) << "the engine's default profile";
}

TEST(EngineApiFilters, QueryValuesArePercentEncoded) {
  EXPECT_EQ(PercentEncode(R"({"label":["faultline.run=ab12"]})"),
            "%7B%22label%22%3A%5B%22faultline.run%3Dab12%22%5D%7D");
  EXPECT_EQ(PercentEncode("faultline.local/fl-ab-x:1"), "faultline.local%2Ffl-ab-x%3A1");
}

}  // namespace
}  // namespace faultline::drivers::docker
