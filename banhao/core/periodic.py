"""The platform's periodic jobs, in one place.

Production runs them with ``celery -A banhao beat`` (settings.CELERY_BEAT_SCHEDULE is built from
this list); the embedded default runs them with ``banhao periodic`` from cron. Every job is
idempotent, so running one twice or late is harmless.
"""

from celery.schedules import crontab

# name → (task path, schedule, what it does)
JOBS = {
    "payments-hand-off": (
        "banhao.payments.tasks.hand_off_pending_reports",
        crontab(minute="*/10"),
        "retry payment problem reports the hotline could not take yet",
    ),
    "hotline-supervision": (
        "banhao.hotline.tasks.apply_supervision_rules",
        crontab(minute=5),
        "move overdue or stuck tickets up the supervision ladder",
    ),
    "onething-deadlines": (
        "banhao.onething.tasks.notify_deadlines",
        crontab(minute=15),
        "warn handlers before task deadlines, flag overdue tasks",
    ),
    "ledger-daily": (
        "banhao.ledger.tasks.daily",
        crontab(hour=8, minute=30),
        "chase late progress reports, remind units before deadlines",
    ),
    "archives-renewal-reminders": (
        "banhao.archives.tasks.send_renewal_reminders",
        crontab(hour=9, minute=0),
        "remind licence holders 90, 30 and 7 days (per type) before expiry",
    ),
    "hotline-retrain": (
        "banhao.hotline.tasks.retrain_dispatch_model",
        crontab(hour=2, minute=0),
        "retrain the dispatch suggestion on handled tickets",
    ),
    "policies-match": (
        "banhao.policies.tasks.match_all",
        crontab(hour=3, minute=30),
        "match enterprises against live policies, tell them once, make 免申即享 grants",
    ),
}


def beat_schedule() -> dict:
    return {
        name: {"task": task, "schedule": schedule} for name, (task, schedule, _doc) in JOBS.items()
    }
