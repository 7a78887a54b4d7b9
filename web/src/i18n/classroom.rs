//! The classroom's words: the student's join page and class bar, the teacher's
//! console, and every [`ClassError`], in English and Brazilian Portuguese. Both
//! matches are exhaustive: a missing translation does not compile.

use mqttlab_core::classroom::MessageError;
use mqttlab_core::codec::PacketType;

use super::Lang;
use crate::classroom::ClassError;
use crate::live::v5::reason_text;

/// A string of the classroom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The join page's heading.
    JoinTitle,
    /// Under it.
    JoinIntro,
    /// The room code field.
    RoomCode,
    /// The display name field.
    DisplayName,
    /// The join button.
    Join,
    /// Leave the class.
    Leave,
    /// Connecting.
    Joining,
    /// In the class.
    Joined,
    /// The server went away.
    Away,
    /// The teacher froze the clock.
    Frozen,
    /// Before the teacher pushed anything.
    WaitingForTeacher,
    /// "You are" (before the display name).
    YouAre,
    /// The class bar's label.
    ClassLabel,
    /// The console's heading.
    ConsoleTitle,
    /// Connecting the console.
    ConsoleConnecting,
    /// Students connected, before the count.
    Connected,
    /// The student table's heading.
    Students,
    /// No student yet.
    NoStudents,
    /// Column: name.
    ColName,
    /// Column: connected or not.
    ColStatus,
    /// Column: the lab reported last.
    ColLab,
    /// Column: steps done.
    ColSteps,
    /// A student connected.
    Online,
    /// A student gone.
    Offline,
    /// The push form's heading.
    PushTitle,
    /// Push a lab at a step.
    PushLab,
    /// Push a bundled scenario.
    PushScenario,
    /// Push the teacher's own world.
    PushWorld,
    /// Who the push is for.
    PushTo,
    /// Everyone.
    Everyone,
    /// A step number.
    Step,
    /// The push button.
    Push,
    /// Freeze every clock.
    Freeze,
    /// Unfreeze.
    Unfreeze,
    /// Clocks frozen (the console's state line).
    ClocksFrozen,
    /// Clocks running.
    ClocksRunning,
    /// The predictions' heading.
    Answers,
    /// No world saved to push.
    NoWorld,
    /// Pushed: (then what).
    Pushed,
    /// Messages a student sent that could not be read.
    Unreadable,
    /// Students who answered, before a count.
    Answered,
    /// Presenter mode hides names.
    NamesHidden,
    /// The lab whose answers are shown.
    AnswersOf,
    /// The teacher's token field (when the link carried none).
    Token,
    /// Open the console with the token.
    OpenConsole,
}

/// `text` in `lang`.
pub fn c(lang: Lang, text: Class) -> &'static str {
    use Class::*;
    use Lang::*;
    match (text, lang) {
        (JoinTitle, En) => "Join your class",
        (JoinTitle, PtBr) => "Entrar na turma",
        (JoinIntro, En) => "Type the room code your teacher shows, and your name. Your page keeps working on its own if the class server goes away.",
        (JoinIntro, PtBr) => "Digite o código da sala que o professor mostra e o seu nome. Sua página continua funcionando sozinha se o servidor da turma sair do ar.",
        (RoomCode, En) => "Room code",
        (RoomCode, PtBr) => "Código da sala",
        (DisplayName, En) => "Your name",
        (DisplayName, PtBr) => "Seu nome",
        (Join, En) => "Join",
        (Join, PtBr) => "Entrar",
        (Leave, En) => "Leave the class",
        (Leave, PtBr) => "Sair da turma",
        (Joining, En) => "Joining…",
        (Joining, PtBr) => "Entrando…",
        (Joined, En) => "In class",
        (Joined, PtBr) => "Na turma",
        (Away, En) => "The class server is away: your lab keeps working here, and the page reconnects by itself.",
        (Away, PtBr) => "O servidor da turma saiu do ar: seu roteiro continua funcionando aqui, e a página se reconecta sozinha.",
        (Frozen, En) => "The teacher paused every clock: what happens next?",
        (Frozen, PtBr) => "O professor pausou todos os relógios: o que acontece agora?",
        (WaitingForTeacher, En) => "You are in. The teacher will open a lab on your page.",
        (WaitingForTeacher, PtBr) => "Você entrou. O professor vai abrir um roteiro na sua página.",
        (YouAre, En) => "you are",
        (YouAre, PtBr) => "você é",
        (ClassLabel, En) => "Class",
        (ClassLabel, PtBr) => "Turma",
        (ConsoleTitle, En) => "Teacher's console",
        (ConsoleTitle, PtBr) => "Console do professor",
        (ConsoleConnecting, En) => "Connecting to the class broker…",
        (ConsoleConnecting, PtBr) => "Conectando ao broker da turma…",
        (Connected, En) => "Connected:",
        (Connected, PtBr) => "Conectados:",
        (Students, En) => "Students",
        (Students, PtBr) => "Alunos",
        (NoStudents, En) => "No student has joined yet: students open this server's #/join and type the room code.",
        (NoStudents, PtBr) => "Nenhum aluno entrou ainda: os alunos abrem o #/join deste servidor e digitam o código da sala.",
        (ColName, En) => "Name",
        (ColName, PtBr) => "Nome",
        (ColStatus, En) => "Status",
        (ColStatus, PtBr) => "Situação",
        (ColLab, En) => "Lab",
        (ColLab, PtBr) => "Roteiro",
        (ColSteps, En) => "Steps done (checks green)",
        (ColSteps, PtBr) => "Passos feitos (verificações verdes)",
        (Online, En) => "connected",
        (Online, PtBr) => "conectado",
        (Offline, En) => "gone",
        (Offline, PtBr) => "saiu",
        (PushTitle, En) => "Open on the students' pages",
        (PushTitle, PtBr) => "Abrir nas páginas dos alunos",
        (PushLab, En) => "A guided lab, at a step",
        (PushLab, PtBr) => "Um roteiro guiado, num passo",
        (PushScenario, En) => "A scenario",
        (PushScenario, PtBr) => "Um cenário",
        (PushWorld, En) => "My own world (the workspace's scenario and seed)",
        (PushWorld, PtBr) => "Meu próprio mundo (o cenário e a semente da área de trabalho)",
        (PushTo, En) => "For",
        (PushTo, PtBr) => "Para",
        (Everyone, En) => "everyone",
        (Everyone, PtBr) => "todos",
        (Step, En) => "step",
        (Step, PtBr) => "passo",
        (Push, En) => "Open it",
        (Push, PtBr) => "Abrir",
        (Freeze, En) => "Freeze every clock",
        (Freeze, PtBr) => "Congelar todos os relógios",
        (Unfreeze, En) => "Unfreeze the clocks",
        (Unfreeze, PtBr) => "Descongelar os relógios",
        (ClocksFrozen, En) => "Students' clocks are frozen.",
        (ClocksFrozen, PtBr) => "Os relógios dos alunos estão congelados.",
        (ClocksRunning, En) => "Students' clocks run.",
        (ClocksRunning, PtBr) => "Os relógios dos alunos andam.",
        (Answers, En) => "The class's predictions",
        (Answers, PtBr) => "As previsões da turma",
        (NoWorld, En) => "Open the workspace first: the scenario it shows is what is sent.",
        (NoWorld, PtBr) => "Abra a área de trabalho primeiro: o cenário que ela mostra é o que é enviado.",
        (Pushed, En) => "Sent:",
        (Pushed, PtBr) => "Enviado:",
        (Unreadable, En) => "unreadable messages",
        (Unreadable, PtBr) => "mensagens ilegíveis",
        (Answered, En) => "answers:",
        (Answered, PtBr) => "respostas:",
        (NamesHidden, En) => "Presenter mode: names hidden.",
        (NamesHidden, PtBr) => "Modo apresentação: nomes ocultos.",
        (AnswersOf, En) => "Lab",
        (AnswersOf, PtBr) => "Roteiro",
        (Token, En) => "Teacher's token",
        (Token, PtBr) => "Token do professor",
        (OpenConsole, En) => "Open the console",
        (OpenConsole, PtBr) => "Abrir o console",
    }
}

/// A classroom error in `lang`.
pub fn class_error(lang: Lang, e: &ClassError) -> String {
    let pt = lang == Lang::PtBr;
    match e {
        ClassError::NoClassroom if pt => "Este servidor não tem turma: o professor o inicia com mqttlab serve --classroom.".into(),
        ClassError::NoClassroom => "This server runs no class: the teacher starts it with mqttlab serve --classroom.".into(),
        ClassError::NoCode if pt => "Digite o código da sala que o professor mostra.".into(),
        ClassError::NoCode => "Type the room code your teacher shows.".into(),
        ClassError::WrongCode if pt => "O broker recusou o código da sala (CONNACK 0x86, usuário ou senha incorretos): confira-o com o professor.".into(),
        ClassError::WrongCode => "The broker refused the room code (CONNACK 0x86, bad user name or password): check it with your teacher.".into(),
        ClassError::NoToken if pt => "Este link de professor não traz o token: use o link que mqttlab serve --classroom imprimiu.".into(),
        ClassError::NoToken => "This teacher's link carries no token: use the link mqttlab serve --classroom printed.".into(),
        ClassError::WrongToken if pt => "O broker recusou o token do professor (CONNACK 0x86, usuário ou senha incorretos): só o link que mqttlab serve --classroom imprimiu abre o console.".into(),
        ClassError::WrongToken => "The broker refused the teacher's token (CONNACK 0x86, bad user name or password): only the link mqttlab serve --classroom printed opens the console.".into(),
        ClassError::BadName(e) => name_error(lang, e),
        ClassError::Refused(code) if pt => format!("O broker recusou a conexão: {}.", reason_text(PacketType::Connack, *code)),
        ClassError::Refused(code) => format!("The broker refused the connection: {}.", reason_text(PacketType::Connack, *code)),
        ClassError::Denied { packet: PacketType::Suback, code } if pt => format!(
            "O broker recusou a assinatura ({}): um aluno lê só os avisos da sala e os próprios tópicos, nunca as respostas dos colegas.",
            reason_text(PacketType::Suback, *code)
        ),
        ClassError::Denied { packet: PacketType::Suback, code } => format!(
            "The broker refused the subscription ({}): a student reads only the room's broadcasts and its own topics, never another student's answers.",
            reason_text(PacketType::Suback, *code)
        ),
        ClassError::Denied { packet, code } if pt => format!(
            "O broker recusou a publicação ({} {}): só o token do professor pode enviar o que os alunos seguem.",
            packet.name(),
            reason_text(*packet, *code)
        ),
        ClassError::Denied { packet, code } => format!(
            "The broker refused to publish it ({} {}): only the teacher's token may send what students follow.",
            packet.name(),
            reason_text(*packet, *code)
        ),
        ClassError::Bridge { code, reason } => {
            let why = match (*code, pt) {
                (1008, true) => "o servidor só leva aos brokers que ele nomeia. ",
                (1008, false) => "the server bridges only the brokers it names. ",
                (1006, true) => "o servidor não respondeu. ",
                (1006, false) => "the server did not answer. ",
                (_, _) => "",
            };
            if pt {
                format!("O servidor fechou a conexão antes do broker responder: {why}(código {code}, “{reason}”)")
            } else {
                format!("The server closed the connection before the broker answered: {why}(code {code}, “{reason}”)")
            }
        }
        ClassError::Away => c(lang, Class::Away).into(),
    }
}

fn name_error(lang: Lang, _e: &MessageError) -> String {
    match lang {
        Lang::En => "Your name must have 1 to 40 characters, without control characters.".into(),
        Lang::PtBr => "Seu nome deve ter de 1 a 40 caracteres, sem caracteres de controle.".into(),
    }
}
