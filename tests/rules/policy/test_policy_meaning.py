"""Meaning-level reading of policy sentences: negation scope, topics, first parties, non-PI phrases, coverage."""

from __future__ import annotations

from ganzhi.evidence.pi_lists import AppPiFacts, AppPiSource
from ganzhi.rules.policy.consistency import Claims, party_named_in, summary_faithfulness, uncovered_sources
from ganzhi.rules.policy.facts import extract_facts, first_parties, recipients_in, sentence_action
from ganzhi.rules.policy.pi_lexicon import categories_in


def _negated(text: str) -> dict[str, bool]:
    """Category → denied, for sentences stating each category with one polarity."""
    facts = extract_facts([(0, text)])
    assert len({f.category for f in facts}) == len(facts), facts
    return {f.category: f.negated for f in facts}


def test_a_denial_covers_its_own_clause_only() -> None:
    assert _negated("我们会收集您的位置信息，但不会收集您的通讯录。") == {"location": False, "contacts": True}
    # one use stated, another denied: both kept, so the category is not "firmly denied"
    mixed = {
        (f.category, f.negated)
        for f in extract_facts([(0, "我们会访问您的相册，读取您选择的图片；我们不会读取您的其他照片。")])
    }
    assert mixed == {("photos", False), ("photos", True)}


def test_processing_by_another_party_is_not_the_apps_own() -> None:
    assert _negated("您的银行卡信息由支付机构处理，本平台不收集您的银行卡号。") == {"financial": True}
    assert _negated("注册时，您需要向我们提供手机号码及密码。") == {"phone_number": False, "account": False}


def test_conditions_and_exceptions_are_not_denials() -> None:
    assert _negated("未经您的单独同意，我们不会获取您的精确位置信息。") == {"location": False}
    assert _negated("除非您主动开启附近功能，我们不会获取您的位置信息。") == {"location": False}
    assert _negated("我们不会共享您的通讯录，但以下情况除外：") == {"contacts": False}


def test_a_topic_put_first_is_denied_by_the_clause_after_it() -> None:
    assert _negated("您的通讯录、短信内容，我们都不会读取。") == {"contacts": True, "sms": True}
    # a clause with its own subject and modal is not a topic: the later denial is about something else
    assert _negated("我们需要您的位置信息，不会上传。") == {"location": False}


def test_the_user_using_the_service_is_not_processing() -> None:
    assert sentence_action("若您是未满14周岁的未成年人，请在监护人的指导下使用我们的服务。") is None
    assert sentence_action("当您使用扫一扫功能时，我们需要访问您的摄像头。") == "collect"


def test_phrases_that_name_no_personal_information() -> None:
    assert categories_in("我们将通过发送短信验证码的方式验证您的身份") == []
    assert categories_in("我们会在您的设备上存储名为Cookie的小数据文件") == []
    assert categories_in("注册地址：浙江省杭州市") == []
    assert categories_in("读取您的短信内容") == ["sms"]


def test_operator_and_affiliates_are_first_parties() -> None:
    text = (
        "云帆阅读（以下简称“本产品”）由杭州云帆网络科技有限公司（注册地址：杭州市）开发和运营。"
        "您的个人信息可能会与我们的关联公司云帆（上海）信息技术有限公司共享。"
    )
    assert first_parties(text) == ["杭州云帆网络科技有限公司", "云帆（上海）信息技术有限公司"]
    assert recipients_in("云帆阅读由杭州云帆网络科技有限公司运营。") == ["杭州云帆网络科技有限公司"]


def test_parties_compared_by_their_distinctive_name() -> None:
    policy = "例如，友盟+ SDK（友盟同欣（北京）科技有限公司）会收集设备信息。极光推送（JPush）SDK会收集设备标识符。"
    assert party_named_in("友盟+ SDK", policy)
    assert party_named_in("SDK和极光推送", policy)
    assert not party_named_in("北京星图数据科技有限公司", policy)
    assert not party_named_in("友盟SDK和星图数据SDK", policy)
    assert party_named_in("云帆科技有限公司", "本产品由杭州云帆网络科技有限公司运营。", ["杭州云帆网络科技有限公司"])


def _claims(text: str, recipients: tuple[str, ...] = ()) -> Claims:
    return Claims(stated=frozenset(), denied=frozenset(), recipients=recipients, text=text)


def test_summary_naming_the_operator_or_an_affiliate_is_faithful() -> None:
    policy = _claims("本产品由杭州云帆网络科技有限公司开发和运营。您的信息可能与我们的关联公司共享。")
    operator = _claims("本产品由杭州云帆网络科技有限公司提供。", ("杭州云帆网络科技有限公司",))
    affiliate = _claims("我们会与关联公司云帆（北京）数据服务有限公司共享账号信息。", ("云帆（北京）数据服务有限公司",))
    stranger = _claims("我们会将设备信息共享给北京星图数据科技有限公司。", ("北京星图数据科技有限公司",))
    assert summary_faithfulness(operator, policy) == []
    assert summary_faithfulness(affiliate, policy) == []
    assert [f.problem for f in summary_faithfulness(stranger, policy)] == ["UNSUPPORTED_RECIPIENT"]
    # an affiliate the policy neither names nor discloses as a class is a party the policy does not back
    no_affiliates = _claims("本产品由杭州云帆网络科技有限公司开发和运营。")
    other = _claims("我们会与关联公司星辰（北京）数据服务有限公司共享账号信息。", ("星辰（北京）数据服务有限公司",))
    assert [f.problem for f in summary_faithfulness(other, no_affiliates)] == ["UNSUPPORTED_RECIPIENT"]
    assert summary_faithfulness(other, policy) == []


def test_a_permission_is_accounted_for_by_any_category_it_reaches() -> None:
    facts = AppPiFacts(
        package="p",
        sources=[
            AppPiSource(category="phone_state", via="android.permission.READ_PHONE_STATE", kind="permission"),
            AppPiSource(category="device_id", via="android.permission.READ_PHONE_STATE", kind="permission"),
            AppPiSource(category="network", via="android.permission.ACCESS_WIFI_STATE", kind="permission"),
            AppPiSource(category="clipboard", via="Landroid/content/ClipboardManager;->getPrimaryClip()", kind="api"),
        ],
    )
    gaps = uncovered_sources(facts, {"device_id"}, {"ACCESS_WIFI_STATE"})
    assert gaps == [
        ("clipboard", ["Landroid/content/ClipboardManager;->getPrimaryClip()"], []),
        ("network", [], ["android.permission.ACCESS_WIFI_STATE"]),
    ]
