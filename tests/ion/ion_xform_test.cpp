// The :xforms policy of an active ion config in pull patterns.
#include <cctype>
#include <string>

#include "ion_fixture.hpp"

namespace accrete::ion_test {
namespace {

using ::testing::HasSubstr;

class XformTest : public IonTest {
 protected:
  void SetUp() override {
    IonTest::SetUp();
    auto lower = [](const Value& v) -> absl::StatusOr<Value> {
      std::string s(v.as_string());
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return Value(s);
    };
    ASSERT_OK(registry_.RegisterXform("inv/lower", lower));
    ASSERT_OK(registry_.RegisterXform("inv/hidden-lower", lower));
  }

  void ActivateXforms() {
    auto config = IonConfig::Parse(R"({:app-name "xform-test" :xforms [inv/lower]})");
    ASSERT_OK(config);
    ASSERT_OK(registry_.Activate(*config));
  }

  const Value sku1_ = vec({kw("inv/sku"), "SKU-1"});
};

TEST_F(XformTest, WithoutAConfigEveryRegisteredXformIsCallable) {
  auto r = pull(db(), "[[:inv/sku :xform inv/hidden-lower]]", sku1_);
  ASSERT_OK(r);
  EXPECT_EQ(*r->get(kw("inv/sku")), Value("sku-1"));
}

TEST_F(XformTest, XformListedInXformsRuns) {
  ActivateXforms();
  auto r = pull(db(), "[[:inv/sku :xform inv/lower]]", sku1_);
  ASSERT_OK(r);
  EXPECT_EQ(*r->get(kw("inv/sku")), Value("sku-1"));
}

TEST_F(XformTest, XformOutsideXformsIsPermissionDeniedNamingIt) {
  ActivateXforms();
  auto r = pull(db(), "[:inv/count [:inv/sku :xform inv/hidden-lower]]", sku1_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("inv/hidden-lower is not in the :xforms list"));
  EXPECT_THAT(r.status().message(), HasSubstr("in pull pattern"));
  // An unregistered name is refused the same way, before any lookup.
  r = pull(db(), "[[:inv/sku :xform no.such/fn]]", sku1_);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
}

// A prepared query keeps its resolved pull pattern between runs; activating
// a config must not let a cached resolution skip the :xforms check.
TEST_F(XformTest, PreparedQueryPullIsRecheckedAfterActivation) {
  auto query = Query::Parse(
      "[:find (pull ?e [[:inv/sku :xform inv/hidden-lower]]) . :where [?e :inv/sku \"SKU-1\"]]");
  ASSERT_OK(query);
  auto before = (*query)(db());
  ASSERT_OK(before);
  EXPECT_EQ(*before->value().get(kw("inv/sku")), Value("sku-1"));
  ActivateXforms();
  auto after = (*query)(db());
  EXPECT_EQ(after.status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace accrete::ion_test
