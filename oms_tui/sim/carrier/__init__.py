"""A local imitation of the EasyPost API (the endpoints the `easypost` SDK calls for labels), mounted on
the simulator at `/easypost/v2`, with its ledger of charges and refunds at `GET /__ledger`."""
