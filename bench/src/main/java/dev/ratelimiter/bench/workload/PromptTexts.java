package dev.ratelimiter.bench.workload;

import java.util.List;

/**
 * The text that generated prompts are made of: paragraphs of the kinds LLM applications send
 * (English instructions and documents, code, structured data, other languages). What matters for
 * the model is their bytes per token, which differs by kind, so each kind has its own paragraphs.
 */
final class PromptTexts {
    static final List<String> INSTRUCTIONS = List.of(
            "You are an assistant for a logistics company. Answer questions about shipments using only the"
                    + " documents below. If the documents do not contain the answer, say so plainly.",
            "Summarise the conversation below for a support agent who takes over the case. Mention the"
                    + " customer's problem, what was already tried, and the next step that was promised.",
            "Review the following code change. Point out bugs, missing tests and unclear names, and suggest"
                    + " concrete fixes. Be brief and do not repeat the code back.");

    static final List<String> ENGLISH = List.of(
            "The warehouse in Rotterdam received forty containers on Monday, eleven more than planned. Two of"
                    + " them were held by customs because the invoices listed a different weight than the bill of"
                    + " lading. The team contacted the supplier, who sent corrected documents the same afternoon.",
            "Customer wrote that the mobile app logs her out every time she switches to another app and back."
                    + " She has reinstalled it twice and cleared the cache. The problem started after the last"
                    + " update. She uses an older phone and would like to know whether it is still supported.",
            "Quarterly results showed steady growth in the subscription business, while one-off license sales"
                    + " fell for the third quarter in a row. Management expects the shift to recurring revenue"
                    + " to continue and plans to retire the perpetual license by the end of next year.",
            "The committee met on Thursday to discuss the new parking rules. Residents asked for more spaces"
                    + " for bicycles and for a quieter schedule for deliveries in the early morning. A decision"
                    + " was postponed until the traffic study is complete.",
            "To reset the device, hold the power button for ten seconds until the light blinks twice, then"
                    + " release it. The settings return to their factory values, but files stored on the memory"
                    + " card are kept. Pair the device again with the app before using it.");

    static final List<String> CODE = List.of(
            "    public List<Order> overdue(Clock clock) {\n        List<Order> result = new ArrayList<>();\n"
                    + "        for (Order order : orders.values()) {\n"
                    + "            if (order.dueAt().isBefore(clock.instant()) && !order.isPaid()) {\n"
                    + "                result.add(order);\n            }\n        }\n"
                    + "        result.sort(Comparator.comparing(Order::dueAt));\n        return result;\n    }\n",
            "def parse_rows(lines):\n    rows = []\n    for number, line in enumerate(lines, start=1):\n"
                    + "        fields = [field.strip() for field in line.split(',')]\n        if len(fields) != 4:\n"
                    + "            raise ValueError(f'line {number}: expected 4 fields, got {len(fields)}')\n"
                    + "        rows.append({'id': int(fields[0]), 'name': fields[1], 'qty': int(fields[2]),"
                    + " 'price': float(fields[3])})\n    return rows\n",
            "{\"order_id\":\"ORD-2026-004817\",\"customer\":{\"id\":\"c_8f3a21\",\"tier\":\"gold\"},\"items\":"
                    + "[{\"sku\":\"SKU-55102\",\"qty\":2,\"price_eur\":19.90},{\"sku\":\"SKU-10877\",\"qty\":1,"
                    + "\"price_eur\":249.00}],\"shipped_at\":\"2026-03-14T09:21:07Z\",\"carrier\":\"dhl\"}\n");

    static final List<String> OTHER_LANGUAGES = List.of(
            "Der Kunde berichtet, dass die Lieferung beschädigt angekommen ist. Die Verpackung war an einer"
                    + " Ecke eingedrückt, und zwei Gläser sind zerbrochen. Er bittet um Ersatz oder Rückerstattung.",
            "Le client signale que la facture du mois de mars contient deux fois le même abonnement. Il demande"
                    + " un remboursement et une confirmation écrite que l'erreur ne se reproduira pas.",
            "客户反映上周订购的打印机至今没有发货。订单页面一直显示正在处理。客户希望尽快知道具体的发货日期，" + "如果本周无法发货，希望取消订单并全额退款。",
            "お客様から、アプリの通知が届かないという問い合わせがありました。設定では通知が有効になっており、" + "端末の再起動も試したそうです。");

    private PromptTexts() {}
}
