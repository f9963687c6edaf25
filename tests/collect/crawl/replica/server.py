"""A replica of what operators, apps and stores publish, served on loopback for the crawler's tests.

Pages: a tariff zone whose table is filled from XHR JSON, a paginated hall list, a privacy policy linking its
摘要 and the two PI lists, a cloud-drive tier page, a GBK hotline page (charset only in `<meta>`), an
app-store listing with an APK link, robots.txt disallowing /private/, a slow page, a 30 MB page, a redirect
loop, a page failing with 500 twice before answering, and `/bench/` pages for the benchmark. `version = 2`
changes a price, adds a plan, rewrites a policy paragraph, drops a hall and bumps the app version.
Every request is logged (monotonic time, path, User-Agent) so tests can check spacing and re-fetches.
"""

from __future__ import annotations

# ruff: noqa: E501 - the replica's pages are HTML written inline
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HALL_PAGES = 3
BIG_BYTES = 30 * 1024 * 1024

_PLANS = [
    {
        "方案编号": "24BJ100001",
        "资费名称": "畅享套餐 59元",
        "资费标准": "59元/月",
        "服务内容": "国内通用流量30GB，国内通话200分钟",
        "适用范围": "全部用户",
        "有效期限": "2年",
        "在网要求": "无",
        "退订方式": "营业厅或APP退订",
        "违约责任": "无",
        "超出资费": "5元/GB",
        "上线日期": "2024-01-01",
        "销售渠道": "营业厅、APP、网厅、资费专区",
    },
    {
        "方案编号": "24BJ100002",
        "资费名称": "银发关爱套餐 19元",
        "资费标准": "19元/月",
        "服务内容": "国内通用流量5GB，国内通话300分钟",
        "适用范围": "60岁以上用户",
        "有效期限": "2年",
        "在网要求": "无",
        "退订方式": "营业厅退订",
        "违约责任": "无",
        "超出资费": "3元/GB",
        "上线日期": "2024-03-01",
        "销售渠道": "营业厅、资费专区",
    },
]
_POLICY = [
    "示例视频隐私政策",
    "一、我们如何收集和使用您的个人信息",
    "为向您提供视频播放服务，我们会收集您的设备信息和网络身份标识信息。",
    "为实现账号登录，我们会收集您的手机号码。",
    "二、我们如何共享您的个人信息",
    "我们会与第三方SDK共享您的设备信息，详见《第三方信息共享清单》。",
]


def _page(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}</body></html>")  # fmt: skip


class Replica:
    """The site's state: version, request log, and per-path counters (for the intermittent 500)."""

    def __init__(self) -> None:
        self.version = 1
        self.log: list[tuple[float, str, str]] = []
        self.lock = threading.Lock()
        self.flaky_left = 2
        self.server: ThreadingHTTPServer | None = None
        self.bench_pages = 10_000

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for _, path, _ in self.log]

    # ---- content

    def plans(self) -> list[dict[str, str]]:
        plans = [dict(p) for p in _PLANS]
        if self.version >= 2:
            plans[0]["资费标准"] = "69元/月"
            plans[0]["资费名称"] = "畅享套餐 69元"
            plans.append(
                {**_PLANS[0], "方案编号": "24BJ100003", "资费名称": "5G畅连套餐 129元", "资费标准": "129元/月"}
            )
        return plans

    def halls(self, page: int) -> list[tuple[str, str, str, str]]:
        rows = [
            (f"BJ{page}{i:02d}", f"示例移动{page}-{i}号营业厅", f"北京市海淀区示例路{page * 10 + i}号", "是")
            for i in range(1, 6)
        ]
        if self.version >= 2 and page == 2:
            rows = rows[:-1]
        return rows

    def policy(self) -> list[str]:
        lines = list(_POLICY)
        if self.version >= 2:
            lines[3] = "为实现账号登录，我们会收集您的手机号码和短信验证码，并在您注销账号后删除。"
        return lines


def _handler(replica: Replica) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def _send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
                  headers: dict[str, str] | None = None) -> None:  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def _html(self, text: str, status: int = 200) -> None:
            self._send(status, text.encode("utf-8"))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            with replica.lock:
                replica.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
            try:
                self._route(path, query)
            except (BrokenPipeError, ConnectionResetError):
                return

        def _route(self, path: str, query: dict[str, list[str]]) -> None:
            r = replica
            if path == "/robots.txt":
                self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            elif path == "/":
                links = [
                    "/tariff/",
                    "/halls/?page=1",
                    "/policy/",
                    "/netdisk/",
                    "/gbk/",
                    "/store/app/com.example.video",
                    "/private/secret",
                    "/slow/",
                    "/big/",
                    "/loop/a",
                    "/flaky/",
                    "http://192.168.1.1/admin",
                ]
                self._html(_page("示例移动 首页", "".join(f'<a href="{u}">{u}</a> ' for u in links)))
            elif path == "/tariff/":
                script = (
                    "<script>fetch('/api/tariff.json').then(r=>r.json()).then(d=>{const t=document.getElementById('plans');"
                    "const keys=Object.keys(d.plans[0]);t.innerHTML='<tr>'+keys.map(k=>'<th>'+k+'</th>').join('')+'</tr>'+"
                    "d.plans.map(p=>'<tr>'+keys.map(k=>'<td>'+(p[k]||'')+'</td>').join('')+'</tr>').join('');});</script>"
                )
                self._html(_page("资费专区", '<table id="plans"></table>' + script))
            elif path == "/api/tariff.json":
                self._send(200, json.dumps({"plans": r.plans()}, ensure_ascii=False).encode(), "application/json")
            elif path == "/halls/":
                page = int((query.get("page") or ["1"])[0])
                rows = "".join(
                    f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in r.halls(page)
                )
                nxt = f'<a class="next" href="/halls/?page={page + 1}">下一页</a>' if page < HALL_PAGES else ""
                table = f"<table><tr><th>营业厅编号</th><th>营业厅名称</th><th>营业厅地址</th><th>可办理携号转网</th></tr>{rows}</table>"
                self._html(_page("携号转网营业厅公示", table + nxt))
            elif path == "/policy/":
                body = "".join(f"<p>{line}</p>" for line in r.policy()[1:])
                body += (
                    '<a href="/policy/summary">《示例视频隐私政策摘要》</a> <a href="/policy/collected">个人信息收集清单</a> '
                    '<a href="/policy/shared">第三方共享清单</a>'
                )
                self._html(_page(r.policy()[0], body))
            elif path == "/policy/summary":
                self._html(
                    _page(
                        "示例视频隐私政策摘要",
                        "<p>我们收集设备信息用于视频播放。</p><p>我们收集手机号码用于登录。</p>"
                        "<p>我们与第三方SDK共享设备信息。</p><p>您可以在设置中撤回同意或注销账号。</p>",
                    )
                )
            elif path == "/policy/collected":
                table = (
                    "<table><tr><th>个人信息种类</th><th>使用目的</th><th>使用场景</th><th>收集方式</th></tr>"
                    "<tr><td>设备信息</td><td>视频播放</td><td>播放视频时</td><td>自动采集</td></tr>"
                    "<tr><td>手机号码</td><td>账号登录</td><td>登录时</td><td>用户输入</td></tr></table>"
                )
                self._html(_page("个人信息收集清单", table))
            elif path == "/policy/shared":
                table = (
                    "<table><tr><th>第三方名称</th><th>共享的个人信息</th><th>使用目的</th><th>共享方式</th><th>第三方隐私政策</th></tr>"
                    "<tr><td>示例推送SDK</td><td>设备信息</td><td>消息推送</td><td>SDK采集</td><td>https://push.example.cn/privacy</td></tr></table>"
                )
                self._html(_page("第三方信息共享清单", table))
            elif path == "/netdisk/":
                table = (
                    "<table><tr><th>会员类型</th><th>存储空间</th><th>传输速率</th><th>价格</th></tr>"
                    "<tr><td>免费用户</td><td>100GB</td><td>下载速率不低于100KB/s</td><td>免费</td></tr>"
                    "<tr><td>超级会员</td><td>5TB</td><td>极速下载</td><td>30元/月</td></tr></table>"
                )
                self._html(_page("网盘会员权益", table))
            elif path == "/gbk/":
                text = _page(
                    "客服热线", "<p>客服热线：10086（7×24小时），老年人专线：10086按0直达人工</p>", charset="gbk"
                )
                self._send(200, text.encode("gbk"), "text/html")
            elif path.startswith("/store/app/"):
                version = "8.2.0" if r.version >= 2 else "8.1.0"
                body = (
                    f'<div class="app"><h2 class="name">示例视频</h2><span class="dev">示例科技有限公司</span>'
                    f'<span class="pkg">com.example.video</span><span class="ver">{version}</span>'
                    f'<span class="date">2024-05-0{r.version}</span><ul class="perms"><li>相机</li><li>位置信息</li></ul>'
                    f'<a class="privacy" href="/policy/">隐私政策</a><a class="apk" href="/apk/com.example.video.apk">下载</a></div>'
                )
                self._html(_page("示例应用市场 - 示例视频", body))
            elif path.startswith("/private/"):
                self._html(_page("内部", "不应被抓取"))
            elif path == "/slow/":
                time.sleep(3)
                self._html(_page("慢页面", "slow"))
            elif path == "/big/":
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(BIG_BYTES))
                self.end_headers()
                chunk = b"<p>" + b"x" * 65_529 + b"</p>"
                for _ in range(BIG_BYTES // len(chunk)):
                    self.wfile.write(chunk)
                self.wfile.write(b" " * (BIG_BYTES % len(chunk)))
            elif path.startswith("/loop/"):
                target = "/loop/b" if path == "/loop/a" else "/loop/a"
                self._send(302, b"", headers={"Location": target})
            elif path == "/flaky/":
                with r.lock:
                    fail = r.flaky_left > 0
                    r.flaky_left -= 1
                if fail:
                    self._html(_page("错误", "server error"), status=500)
                else:
                    self._html(_page("恢复", "ok after retries"))
            elif path == "/bench/list":
                page = int((query.get("page") or ["0"])[0])
                per = 100
                links = "".join(f'<a class="item" href="/bench/p/{page * per + i}">{i}</a>' for i in range(per)
                                if page * per + i < r.bench_pages)  # fmt: skip
                nxt = (
                    f'<a class="next" href="/bench/list?page={page + 1}">下一页</a>'
                    if (page + 1) * per < r.bench_pages
                    else ""
                )
                self._html(_page(f"列表 {page}", links + nxt))
            elif path.startswith("/bench/p/"):
                self._html(_page(f"页面 {path[9:]}", "<p>" + "示例内容。" * 200 + "</p>"))
            elif path.startswith("/spaced/"):
                links = "".join(f'<a href="/spaced/{i}">{i}</a>' for i in range(1, 7)) if path == "/spaced/" else ""
                self._html(_page("spacing", links))
            else:
                self._html(_page("404", "not found"), status=404)

    return Handler


def start(replica: Replica | None = None) -> Replica:
    """Serve a replica on 127.0.0.1 (ephemeral port) in a daemon thread."""
    replica = replica or Replica()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replica))
    server.daemon_threads = True
    replica.server = server
    threading.Thread(target=server.serve_forever, name="replica", daemon=True).start()
    return replica


def stop(replica: Replica) -> None:
    if replica.server is not None:
        replica.server.shutdown()
        replica.server.server_close()
