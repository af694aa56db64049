"""Issue 9, memory: a web worker hands freed heap pages back to the OS (app/memory.py), at most once
per MALLOC_TRIM_SECONDS, after a response has gone out, one thread at a time."""

import threading

from app.memory import M_ARENA_MAX, Trimmer, limit_arenas


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def counting(trimmer: Trimmer) -> list[int]:
    calls: list[int] = []
    trimmer.trim = lambda pad: calls.append(pad) or 1
    return calls


def test_trims_at_most_once_per_interval():
    clock = Clock()
    trimmer = Trimmer(10, clock=clock)
    calls = counting(trimmer)
    assert trimmer.maybe_trim() is False  # the interval starts when the process does
    clock.now += 10
    assert trimmer.maybe_trim() is True
    assert trimmer.maybe_trim() is False
    clock.now += 9.9
    assert trimmer.maybe_trim() is False
    clock.now += 0.2
    assert trimmer.maybe_trim() is True
    assert calls == [0, 0]


def test_a_second_thread_does_not_wait_for_a_trim_in_progress():
    clock = Clock()
    trimmer = Trimmer(1, clock=clock)
    inside, release = threading.Event(), threading.Event()

    def slow_trim(pad):
        inside.set()
        release.wait(5)
        return 1

    trimmer.trim = slow_trim
    clock.now += 5
    first = threading.Thread(target=trimmer.maybe_trim)
    first.start()
    assert inside.wait(5)
    clock.now += 5
    assert trimmer.maybe_trim() is False  # returns at once: another thread is trimming
    release.set()
    first.join(5)
    assert trimmer.trims == 1


def test_zero_seconds_turns_it_off():
    assert Trimmer(0).trim is None
    assert Trimmer(0).maybe_trim() is False


def test_the_app_trims_after_a_response_is_sent(app, client):
    trimmer = app.extensions["memory_trimmer"]
    clock = Clock()
    saved = trimmer.trim, trimmer.clock, trimmer.last
    calls = counting(trimmer)
    trimmer.clock, trimmer.last = clock, clock.now
    try:
        clock.now += trimmer.interval + 1
        response = client.get("/health/live")
        assert calls == []  # not while the response is still being sent
        response.close()  # what the WSGI server does once the body is out
        assert calls == [0]
        client.get("/health/live").close()
        assert calls == [0]  # not again within the interval
    finally:
        trimmer.trim, trimmer.clock, trimmer.last = saved


def test_the_arena_limit_is_applied_with_mallopt():
    calls = []

    class Libc:
        @staticmethod
        def mallopt(parameter, value):
            calls.append((parameter, value))
            return 1

    assert limit_arenas(2, Libc()) is True
    assert calls == [(M_ARENA_MAX, 2)]
    assert limit_arenas(0, Libc()) is False  # glibc's default: nothing called
    assert calls == [(M_ARENA_MAX, 2)]
    assert M_ARENA_MAX == -8  # malloc.h


def test_the_app_limits_arenas_at_start(monkeypatch, tmp_path):
    import app.memory as memory
    from app import create_app

    seen = []
    monkeypatch.setattr(memory, "limit_arenas", lambda limit, libc=None: seen.append(limit) or True)
    create_app(
        overrides={"TESTING": True, "INSTANCE_DIR": str(tmp_path)},
        env={
            "APP_ENV": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "SECRET_KEY": "s" * 40,
            "MALLOC_ARENA_MAX": "3",
        },
    )
    assert seen == [3]
