use fanout_shared::{
    lang::Lang,
    sim::{Scenario, Simulator},
    time::Tick,
};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = &args[1];
    let until: u64 = args.get(2).map(|s| s.parse().unwrap()).unwrap_or(5);
    let show = args.get(3).cloned();
    let mut sim = Simulator::new(&Scenario::preset(name).unwrap(), 1).unwrap();
    while let Some(e) = sim.step_until(Tick::from_secs(until)) {
        if let Some(f) = &show {
            let c = sim.caption_in(&e, Lang::En);
            if f == "all" || c.contains(f.as_str()) {
                println!("{:>8} {}", e.time.0, c);
            }
        }
    }
    let s = sim.summary();
    if let Some(l) = &s.ledger {
        for q in &l.queues {
            println!("{}", serde_json::to_string(q).unwrap());
        }
    }
    println!("{}", serde_json::to_string(&s.brokers).unwrap());
}
