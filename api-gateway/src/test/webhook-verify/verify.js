// Reads {"secret": "whsec_...", "deliveries": [{"headers": {...}, "body": "..."}]} on stdin and verifies each
// delivery with the standardwebhooks package. Prints one line per delivery: "ok <webhook-id>" or "fail <reason>".
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const { secret, deliveries } = JSON.parse(input);
  const wh = new Webhook(secret);
  let failed = 0;
  for (const d of deliveries) {
    try {
      wh.verify(d.body, d.headers);
      console.log("ok " + d.headers["webhook-id"]);
    } catch (e) {
      failed++;
      console.log("fail " + e.message);
    }
  }
  process.exit(failed ? 1 : 0);
});
