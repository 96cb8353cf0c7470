"""One station claiming work in a process of its own:
`python -m tests.processes.claimer STAFF STATION COUNT AT LEASE_MINUTES`.

The cache is OMS_DATABASE_URL. The station says `ready` once it is connected and waits for a line on
stdin, so that several start claiming at the same moment; then it claims the next work `COUNT` times
(0: until none is left), one fulfillment order per transaction, on a clock stopped at `AT` (ISO), and
prints each fulfillment order it was given once its claim is committed.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

from oms_tui.cache.database import open_cache
from oms_tui.floor.queues.claims import claim_next


def main() -> None:
    staff, station, count, at, minutes = sys.argv[1:]
    now, lease = datetime.fromisoformat(at), timedelta(minutes=float(minutes))
    cache = open_cache(os.environ["OMS_DATABASE_URL"], migrate=False)
    try:
        with cache.sessions() as session:  # connected before the start: the race is in the claims
            session.connection()
        print("ready", flush=True)
        sys.stdin.readline()
        done = 0
        while not int(count) or done < int(count):
            with cache.sessions() as session:
                claims = claim_next(session, staff_code=staff, station=station, now=now, lease=lease)
                session.commit()
            if not claims:
                break
            print(claims[0].fulfillment_order_id, flush=True)
            done += 1
    finally:
        cache.close()


if __name__ == "__main__":
    main()
