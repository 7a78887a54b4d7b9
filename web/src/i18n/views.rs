//! The words of the world's pictures: the topology, the charts, the sweep.

use super::Lang;
use crate::sim::protocol::LinkState;

/// A string of the topology, charts and sweep panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vw {
    /// The views' tab: topology.
    Topology,
    /// The views' tab: charts.
    Charts,
    /// The views' tab: sweep.
    Sweep,
    /// Under the topology.
    TopologyHelp,
    /// Link hover: latency.
    Latency,
    /// Link hover: loss.
    Loss,
    /// Selected node, before its name.
    Selected,
    /// Chart: payload values.
    ValuesTitle,
    /// Chart: message rate.
    RatesTitle,
    /// Chart: in flight.
    InflightTitle,
    /// Chart: queued.
    QueuedTitle,
    /// Axis: virtual time.
    TimeAxis,
    /// Axis: value.
    ValueAxis,
    /// Axis: messages per second.
    RateAxis,
    /// Axis: messages.
    MessagesAxis,
    /// Nothing numeric was published yet.
    NoValues,
    /// Refresh the charts.
    Refresh,
    /// Export a chart as SVG.
    ExportChart,
    /// The sweep's seeds field.
    Seeds,
    /// Run the sweep.
    RunSweep,
    /// Cancel the sweep.
    Cancel,
    /// "runs" in the progress line.
    Runs,
    /// The sweep was cancelled.
    Cancelled,
    /// Export the sweep table.
    ExportCsv,
    /// Sweep table column heads.
    ColRuns,
    /// Sent.
    ColSent,
    /// Delivered.
    ColDelivered,
    /// Duplicated.
    ColDuplicated,
    /// Lost.
    ColLost,
    /// Lost %.
    ColLostPct,
    /// Packets per delivered message.
    ColPackets,
    /// Latency p50.
    ColP50,
    /// Latency p95.
    ColP95,
    /// Latency p99.
    ColP99,
    /// Latency max.
    ColMax,
    /// TCP retransmissions.
    ColRetrans,
    /// Chart metric: lost %.
    MetricLost,
    /// Chart metric: duplicated %.
    MetricDuplicated,
    /// Chart metric: packets per delivered message.
    MetricPackets,
    /// Chart metric: p95 latency.
    MetricLatency,
    /// The sweep chart's title before the metric.
    SweepChartTitle,
    /// A scenario without `param` lines.
    NoParams,
    /// The sweep panel's explanation.
    SweepHelp,
    /// Answer every question before running.
    PredictFirst,
    /// The prediction heading.
    YourPrediction,
    /// Right answer.
    Right,
    /// Wrong answer, before the right one.
    WrongItWas,
}

/// The string in `lang`.
pub fn vw(lang: Lang, v: Vw) -> &'static str {
    use Lang::*;
    use Vw::*;
    match (v, lang) {
        (Topology, En) => "Topology",
        (Topology, PtBr) => "Topologia",
        (Charts, En) => "Charts",
        (Charts, PtBr) => "Gráficos",
        (Sweep, En) => "Sweep",
        (Sweep, PtBr) => "Varredura",
        (TopologyHelp, En) => "Each link in its state; hover a link for its latency and loss, click a node to pick out its lifeline, card and terminal. A filled node runs a program; a hollow one runs none (it ended or was killed); grey: the host is gone.",
        (TopologyHelp, PtBr) => "Cada enlace no seu estado; passe o mouse sobre um enlace para ver latência e perda, clique num nó para destacar sua linha de vida, seu cartão e seu terminal. Um nó cheio roda um programa; um nó vazado não roda nenhum (o programa terminou ou foi morto); cinza: a máquina sumiu.",
        (Latency, En) => "latency",
        (Latency, PtBr) => "latência",
        (Loss, En) => "loss",
        (Loss, PtBr) => "perda",
        (Selected, En) => "Selected:",
        (Selected, PtBr) => "Selecionado:",
        (ValuesTitle, En) => "Values published, per topic",
        (ValuesTitle, PtBr) => "Valores publicados, por tópico",
        (RatesTitle, En) => "Message rate, per topic",
        (RatesTitle, PtBr) => "Taxa de mensagens, por tópico",
        (InflightTitle, En) => "Messages in flight, per session",
        (InflightTitle, PtBr) => "Mensagens em trânsito, por sessão",
        (QueuedTitle, En) => "Messages queued, per session",
        (QueuedTitle, PtBr) => "Mensagens na fila, por sessão",
        (TimeAxis, En) => "virtual time (s)",
        (TimeAxis, PtBr) => "tempo virtual (s)",
        (ValueAxis, En) => "value",
        (ValueAxis, PtBr) => "valor",
        (RateAxis, En) => "messages/s",
        (RateAxis, PtBr) => "mensagens/s",
        (MessagesAxis, En) => "messages",
        (MessagesAxis, PtBr) => "mensagens",
        (NoValues, En) => "No numeric payload published yet.",
        (NoValues, PtBr) => "Nenhum valor numérico publicado ainda.",
        (Refresh, En) => "Refresh",
        (Refresh, PtBr) => "Atualizar",
        (ExportChart, En) => "Chart (SVG)",
        (ExportChart, PtBr) => "Gráfico (SVG)",
        (Seeds, En) => "seeds",
        (Seeds, PtBr) => "sementes",
        (RunSweep, En) => "Run the sweep",
        (RunSweep, PtBr) => "Executar a varredura",
        (Cancel, En) => "Cancel",
        (Cancel, PtBr) => "Cancelar",
        (Runs, En) => "runs",
        (Runs, PtBr) => "execuções",
        (Cancelled, En) => "Cancelled: the rows without runs were not reached.",
        (Cancelled, PtBr) => "Cancelada: as linhas sem execuções não foram alcançadas.",
        (ExportCsv, En) => "Table (CSV)",
        (ExportCsv, PtBr) => "Tabela (CSV)",
        (ColRuns, En) => "runs",
        (ColRuns, PtBr) => "execuções",
        (ColSent, En) => "sent",
        (ColSent, PtBr) => "enviadas",
        (ColDelivered, En) => "delivered",
        (ColDelivered, PtBr) => "entregues",
        (ColDuplicated, En) => "duplicated",
        (ColDuplicated, PtBr) => "duplicadas",
        (ColLost, En) => "lost",
        (ColLost, PtBr) => "perdidas",
        (ColLostPct, En) => "lost %",
        (ColLostPct, PtBr) => "% perdidas",
        (ColPackets, En) => "packets per delivered",
        (ColPackets, PtBr) => "pacotes por entregue",
        (ColP50, En) => "latency p50 (ms)",
        (ColP50, PtBr) => "latência p50 (ms)",
        (ColP95, En) => "p95 (ms)",
        (ColP95, PtBr) => "p95 (ms)",
        (ColP99, En) => "p99 (ms)",
        (ColP99, PtBr) => "p99 (ms)",
        (ColMax, En) => "max (ms)",
        (ColMax, PtBr) => "máx (ms)",
        (ColRetrans, En) => "TCP retransmissions",
        (ColRetrans, PtBr) => "retransmissões TCP",
        (MetricLost, En) => "lost (%)",
        (MetricLost, PtBr) => "perdidas (%)",
        (MetricDuplicated, En) => "duplicated (%)",
        (MetricDuplicated, PtBr) => "duplicadas (%)",
        (MetricPackets, En) => "packets per delivered message",
        (MetricPackets, PtBr) => "pacotes por mensagem entregue",
        (MetricLatency, En) => "latency p95 (ms)",
        (MetricLatency, PtBr) => "latência p95 (ms)",
        (SweepChartTitle, En) => "By",
        (SweepChartTitle, PtBr) => "Por",
        (NoParams, En) => "This scenario declares no variable: add lines such as 'param qos 0 1 2' and use $qos to sweep it.",
        (NoParams, PtBr) => "Este cenário não declara variáveis: acrescente linhas como 'param qos 0 1 2' e use $qos para varrê-las.",
        (SweepHelp, En) => "Runs the scenario once per combination of its variables' values and seed, and counts what arrived.",
        (SweepHelp, PtBr) => "Executa o cenário uma vez por combinação dos valores das variáveis e semente, e conta o que chegou.",
        (PredictFirst, En) => "Answer the questions first: the sweep runs once you have predicted.",
        (PredictFirst, PtBr) => "Responda às perguntas primeiro: a varredura roda depois da sua previsão.",
        (YourPrediction, En) => "Your prediction",
        (YourPrediction, PtBr) => "Sua previsão",
        (Right, En) => "Right.",
        (Right, PtBr) => "Certo.",
        (WrongItWas, En) => "Not quite; the sweep says:",
        (WrongItWas, PtBr) => "Não exatamente; a varredura mostra:",
    }
}

/// A link's state in words.
pub fn link_state(lang: Lang, s: LinkState) -> &'static str {
    use Lang::*;
    use LinkState::*;
    match (s, lang) {
        (Up, En) => "up",
        (Up, PtBr) => "ativo",
        (Lossy, En) => "lossy",
        (Lossy, PtBr) => "com perda",
        (Cut, En) => "cut",
        (Cut, PtBr) => "cortado",
        (HalfOpen, En) => "half-open",
        (HalfOpen, PtBr) => "semiaberto (half-open)",
        (Partitioned, En) => "partitioned",
        (Partitioned, PtBr) => "particionado",
    }
}
