<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_BR">
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../desktop/attachment_chip.py" line="+107"/>
        <source>Reading</source>
        <translation>Lendo</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+1"/>
        <source>Remove %1</source>
        <translation>Remover %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reading…</source>
        <translation>Lendo…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: reading</source>
        <translation>%1: lendo</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>only the first %1 of %2 pages were read</source>
        <translation>só as primeiras %1 de %2 páginas foram lidas</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>1 page could not be read</source>
        <translation>1 página não pôde ser lida</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 pages could not be read</source>
        <translation>%1 páginas não puderam ser lidas</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>scanned PDF: 1 page has no text</source>
        <translation>PDF digitalizado: 1 página sem texto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>scanned PDF: %1 pages have no text</source>
        <translation>PDF digitalizado: %1 páginas sem texto</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>1 page has no text</source>
        <translation>1 página sem texto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 pages have no text</source>
        <translation>%1 páginas sem texto</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>truncated at %1 of text</source>
        <translation>cortado em %1 de texto</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not a kind of document Lanterna reads</source>
        <translation>Não é um tipo de documento que o Lanterna lê</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password-protected: cannot be read</source>
        <translation>Protegido por senha: não pode ser lido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too large to read</source>
        <translation>Grande demais para ler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not text: a binary file</source>
        <translation>Não é texto: um arquivo binário</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Damaged: cannot be read</source>
        <translation>Danificado: não pode ser lido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Took too long to read</source>
        <translation>A leitura demorou demais</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No text to read</source>
        <translation>Nenhum texto para ler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File not found</source>
        <translation>Arquivo não encontrado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot be read</source>
        <translation>Não pode ser lido</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>1 page</source>
        <translation>1 página</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 pages</source>
        <translation>%1 páginas</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <location filename="../../desktop/chat_view.py" line="+32"/>
        <source>Conversation</source>
        <translation>Conversa</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../desktop/composer.py" line="+89"/>
        <source>Editing a message: sending starts a new branch.</source>
        <translation>Editando uma mensagem: ao enviar, uma nova ramificação é criada.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Cancel edit</source>
        <translation>Cancelar edição</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Ask anything… (Enter to send, Shift+Enter for a new line)</source>
        <translation>Pergunte qualquer coisa… (Enter para enviar, Shift+Enter para nova linha)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message</source>
        <translation>Mensagem</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Attach…</source>
        <translation>Anexar…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+148"/>
        <source>Attach documents</source>
        <translation>Anexar documentos</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>Attach documents to ask about: PDF, Word, Markdown, text or HTML (or drop files and folders on the window)</source>
        <translation>Anexe documentos para perguntar sobre eles: PDF, Word, Markdown, texto ou HTML (ou arraste arquivos e pastas para a janela)</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+8"/>
        <source>Reasoning effort</source>
        <translation>Esforço de raciocínio</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+3"/>
        <location line="+32"/>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <location line="-31"/>
        <location line="+29"/>
        <location line="+8"/>
        <source>Send (Enter) · Stop (Esc)</source>
        <translation>Enviar (Enter) · Parar (Esc)</translation>
    </message>
    <message>
        <location line="-41"/>
        <location line="+31"/>
        <source>Stop</source>
        <translation>Parar</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sending waits until the documents have been read</source>
        <translation>O envio aguarda até que os documentos tenham sido lidos</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>How long the model thinks before answering: low is fastest, high is most careful</source>
        <translation>Quanto o modelo pensa antes de responder: baixo é mais rápido, alto é mais cuidadoso</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This model has no reasoning-effort control</source>
        <translation>Este modelo não permite ajustar o esforço de raciocínio</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Low</source>
        <translation>Baixo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>Médio</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>Alto</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Documents (%1);;All files (*)</source>
        <translation>Documentos (%1);;Todos os arquivos (*)</translation>
    </message>
</context>
<context>
    <name>DocumentsNote</name>
    <message>
        <location filename="../../desktop/citations.py" line="+54"/>
        <source>How the documents were used</source>
        <translation>Como os documentos foram usados</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Searched the documents for “%1”</source>
        <translation>Buscou “%1” nos documentos</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No longer found: %1. Attach them again to ask about them.</source>
        <translation>Não encontrados mais: %1. Anexe-os de novo para perguntar sobre eles.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Read 1 document whole (%2 tokens)</source>
        <translation>Leu 1 documento inteiro (%2 tokens)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read %1 documents whole (%2 tokens)</source>
        <translation>Leu %1 documentos inteiros (%2 tokens)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Searched 1 document: passages for this question</source>
        <translation>Buscou em 1 documento: trechos para esta pergunta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Searched %1 documents: passages for this question</source>
        <translation>Buscou em %1 documentos: trechos para esta pergunta</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The documents take %1 tokens of the %2 the context leaves them</source>
        <translation>Os documentos ocupam %1 tokens dos %2 que o contexto deixa para eles</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/main_window.py" line="+202"/>
        <source>Starting the engine…</source>
        <translation>Iniciando o motor…</translation>
    </message>
    <message>
        <location line="+31"/>
        <location line="+1"/>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings (Ctrl+,)</source>
        <translation>Configurações (Ctrl+,)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Problem</source>
        <translation>Problema</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Restart engine</source>
        <translation>Reiniciar motor</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dismiss</source>
        <translation>Dispensar</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>&amp;File</source>
        <translation>&amp;Arquivo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New chat</source>
        <translation>Nova conversa</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open a model file…</source>
        <translation>Abrir arquivo de modelo…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Models…</source>
        <translation>Modelos…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export as Markdown…</source>
        <translation>Exportar como Markdown…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export as JSON…</source>
        <translation>Exportar como JSON…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Settings…</source>
        <translation>Configurações…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit</source>
        <translation>Sair</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Chat</source>
        <translation>&amp;Conversa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop</source>
        <translation>Parar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search chats</source>
        <translation>Pesquisar conversas</translation>
    </message>
    <message>
        <location line="+972"/>
        <source>The engine stopped: %1. Your conversation is kept.</source>
        <translation>O motor parou: %1. Sua conversa foi mantida.</translation>
    </message>
    <message>
        <source>Find in chats</source>
        <translation type="vanished">Localizar nas conversas</translation>
    </message>
    <message>
        <location line="-969"/>
        <source>Focus the message box</source>
        <translation>Ir para a caixa de mensagem</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Your chat history could not be opened: %1. Chats will not be saved.</source>
        <translation>Não foi possível abrir o histórico de conversas: %1. As conversas não serão salvas.</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Delete chat</source>
        <translation>Excluir conversa</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this chat and all its messages? This cannot be undone.</source>
        <translation>Excluir esta conversa e todas as mensagens dela? Não é possível desfazer.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Nothing to export yet</source>
        <translation>Ainda não há nada para exportar</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+1"/>
        <location line="+5"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Export chat</source>
        <translation>Exportar conversa</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Exported to %1</source>
        <translation>Exportado para %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The chat could not be exported: %1</source>
        <translation>Não foi possível exportar a conversa: %1</translation>
    </message>
    <message>
        <source>%1 does not exist</source>
        <translation type="vanished">%1 não existe</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The model %1 is no longer there; using the demo model.</source>
        <translation>O modelo %1 não foi encontrado; usando o modelo de demonstração.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Preparing the demo model…</source>
        <translation>Preparando o modelo de demonstração…</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>No model</source>
        <translation>Nenhum modelo</translation>
    </message>
    <message>
        <source>The model could not be prepared: %1</source>
        <translation type="vanished">Não foi possível preparar o modelo: %1</translation>
    </message>
    <message>
        <source>The demo model could not be prepared: %1</source>
        <translation type="vanished">Não foi possível preparar o modelo de demonstração: %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Open a model</source>
        <translation>Abrir um modelo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>Modelos GGUF (*.gguf);;Todos os arquivos (*)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Loading…</source>
        <translation>Carregando…</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>%1 needs about %2 at %3 tokens of context, and this computer has %4 available. Loading it may make the computer very slow, or fail.</source>
        <translation>%1 precisa de cerca de %2 com %3 tokens de contexto, e este computador tem %4 disponíveis. Carregá-lo pode deixar o computador muito lento, ou falhar.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>needs %1, %2 available</source>
        <translation>precisa de %1, %2 disponíveis</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Downloading %1 · %2%</source>
        <translation>Baixando %1 · %2%</translation>
    </message>
    <message>
        <location line="+185"/>
        <source>Reading the prompt…</source>
        <translation>Lendo o prompt…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="vanished">Pronto</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>This chat could not be saved: %1</source>
        <translation>Não foi possível salvar esta conversa: %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Delete message</source>
        <translation>Excluir mensagem</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this message and everything after it in this branch?</source>
        <translation>Excluir esta mensagem e tudo o que vem depois dela nesta ramificação?</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Copied</source>
        <translation>Copiado</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The new language applies the next time Lanterna starts</source>
        <translation>O novo idioma passa a valer na próxima vez que o Lanterna for aberto</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Engine ready</source>
        <translation>Motor pronto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Loading… %1%</source>
        <translation>Carregando… %1%</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not loaded</source>
        <translation>Não carregado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model could not be loaded: %1</source>
        <translation>Não foi possível carregar o modelo: %1</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Ready · %1 · %2 tokens of context</source>
        <translation>Pronto · %1 · contexto de %2 tokens</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>GPU layers: %1</source>
        <translation>Camadas na GPU: %1</translation>
    </message>
    <message>
        <location line="-713"/>
        <source>the model %1 does not exist</source>
        <translation>o modelo %1 não existe</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>Not enough memory</source>
        <translation>Memória insuficiente</translation>
    </message>
    <message>
        <source>%1 needs about %2 GiB at %3 tokens of context, and this computer has %4 GiB available. Loading it may make the computer very slow, or fail.</source>
        <translation type="vanished">%1 precisa de cerca de %2 GiB com %3 tokens de contexto, e este computador tem %4 GiB disponíveis. Carregá-lo pode deixar o computador muito lento ou falhar.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A shorter context (the model&apos;s Settings in the Models window) needs less.</source>
        <translation>Um contexto menor (nas Configurações do modelo, na janela Modelos) precisa de menos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Load anyway</source>
        <translation>Carregar mesmo assim</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Not loaded: not enough memory</source>
        <translation>Não carregado: memória insuficiente</translation>
    </message>
    <message>
        <source>needs %1 GiB, %2 GiB available</source>
        <translation type="vanished">precisa de %1 GiB, %2 GiB disponíveis</translation>
    </message>
    <message>
        <location line="+460"/>
        <source>The GPU choice applies when the engine restarts</source>
        <translation>A escolha de GPU vale quando o motor reiniciar</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Attached documents read: ready for your question</source>
        <translation>Documentos anexados lidos: pronto para a sua pergunta</translation>
    </message>
    <message>
        <location line="+36"/>
        <location line="+1"/>
        <source>Answering…</source>
        <translation>Respondendo…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Thinking…</source>
        <translation>Pensando…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Summarising the reasoning…</source>
        <translation>Resumindo o raciocínio…</translation>
    </message>
    <message>
        <location filename="../../desktop/engine_errors.py" line="+59"/>
        <source>the conversation no longer fits the model&apos;s context of %1 tokens: start a new chat, or raise the context length in Settings</source>
        <translation>a conversa não cabe mais no contexto do modelo, de %1 tokens: comece uma nova conversa ou aumente o tamanho do contexto em Configurações</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>there is not enough memory for this model: a shorter context length (Settings) or a smaller model needs less</source>
        <translation>não há memória suficiente para este modelo: um contexto mais curto (Configurações) ou um modelo menor precisa de menos</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>this file is not a model Lanterna can run, or it is damaged</source>
        <translation>este arquivo não é um modelo que o Lanterna consiga executar, ou está danificado</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the engine could not load this model: the file may be damaged or incomplete, or this version of Lanterna does not support its architecture</source>
        <translation>o motor não conseguiu carregar este modelo: o arquivo pode estar danificado ou incompleto, ou esta versão do Lanterna não suporta a arquitetura dele</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the engine that runs this kind of model is missing from this installation</source>
        <translation>falta nesta instalação o motor que executa este tipo de modelo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the engine failed while answering</source>
        <translation>o motor falhou durante a resposta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the engine cannot use these settings: check the GPU choice in Settings</source>
        <translation>o motor não pode usar estas configurações: verifique a escolha de GPU em Configurações</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>this conversation could not be prepared for the model</source>
        <translation>não foi possível preparar esta conversa para o modelo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no model is loaded: choose one at the top of the window</source>
        <translation>nenhum modelo está carregado: escolha um no topo da janela</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the reasoning filter&apos;s word lists could not be read: turn off Word lists in Settings, or reinstall Lanterna</source>
        <translation>as listas de palavras do filtro de raciocínio não puderam ser lidas: desative Listas de palavras em Configurações, ou reinstale o Lanterna</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>loading was cancelled</source>
        <translation>o carregamento foi cancelado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>something went wrong inside the engine</source>
        <translation>algo deu errado dentro do motor</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the engine did not understand a request from the window</source>
        <translation>o motor não entendeu um pedido da janela</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>it stopped responding</source>
        <translation>ele parou de responder</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>it was killed (SIGKILL); the system may have run out of memory</source>
        <translation>ele foi encerrado à força (SIGKILL); talvez o sistema tenha ficado sem memória</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it crashed in native code (%1)</source>
        <translation>ele travou em código nativo (%1)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it crashed: this processor lacks an instruction the engine was built for (SIGILL)</source>
        <translation>ele travou: este processador não tem uma instrução para a qual o motor foi compilado (SIGILL)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>it aborted (SIGABRT)</source>
        <translation>ele abortou (SIGABRT)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>it was stopped by %1</source>
        <translation>ele foi interrompido por %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>it crashed (exception 0x%1)</source>
        <translation>ele travou (exceção 0x%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>it exited with code %1</source>
        <translation>ele saiu com o código %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the demo model is not part of this installation: choose or download a model in Models</source>
        <translation>o modelo de demonstração não faz parte desta instalação: escolha ou baixe um modelo em Modelos</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the demo model in this installation is damaged: reinstall Lanterna, or choose another model in Models</source>
        <translation>o modelo de demonstração desta instalação está danificado: reinstale o Lanterna ou escolha outro modelo em Modelos</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the demo model could not be written to the models folder: free some disk space, or choose another folder in Settings</source>
        <translation>não foi possível gravar o modelo de demonstração na pasta de modelos: libere espaço em disco ou escolha outra pasta em Configurações</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="+18"/>
        <source>the engine stopped</source>
        <translation>o motor parou</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Engine stopped</source>
        <translation>Motor parado</translation>
    </message>
    <message>
        <source> (exit code %1)</source>
        <translation type="vanished"> (código de saída %1)</translation>
    </message>
    <message>
        <source>The engine stopped: %1%2. Your conversation is kept.</source>
        <translation type="vanished">O motor parou: %1%2. Sua conversa não foi perdida.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Restarting the engine…</source>
        <translation>Reiniciando o motor…</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <location filename="../../desktop/message_view.py" line="+125"/>
        <source>Your message</source>
        <translation>Sua mensagem</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Answer</source>
        <translation>Resposta</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>You</source>
        <translation>Você</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lanterna</source>
        <translation>Lanterna</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Previous version</source>
        <translation>Versão anterior</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next version</source>
        <translation>Próxima versão</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reasoning</source>
        <translation>Raciocínio</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Filtered reasoning</source>
        <translation>Raciocínio filtrado</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Message text</source>
        <translation>Texto da mensagem</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Answer details</source>
        <translation>Detalhes da resposta</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+40"/>
        <location line="+47"/>
        <location line="+11"/>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <location line="-98"/>
        <source>Copy this message</source>
        <translation>Copiar esta mensagem</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Edit</source>
        <translation>Editar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit and send again</source>
        <translation>Editar e enviar novamente</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Regenerate</source>
        <translation>Regenerar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Write another answer</source>
        <translation>Gerar outra resposta</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Delete</source>
        <translation>Excluir</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete this message and what follows it</source>
        <translation>Excluir esta mensagem e o que vem depois dela</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Reading the prompt…</source>
        <translation>Lendo o prompt…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Thinking… %1 s · %2 tokens</source>
        <translation>Pensando… %1 s · %2 tokens</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Attached documents</source>
        <translation>Documentos anexados</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>No summary: %1</source>
        <translation>Sem resumo: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Thought for %1 s · %2 tokens</source>
        <translation>Pensou por %1 s · %2 tokens</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Show the filtered reasoning</source>
        <translation>Exibir o raciocínio filtrado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The reasoning is hidden (Settings → Reasoning display)</source>
        <translation>O raciocínio está oculto (Configurações → Exibição do raciocínio)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>effort %1</source>
        <translation>esforço %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 tok/s</source>
        <translation>%1 tok/s</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>first token %1 ms</source>
        <translation>primeiro token em %1 ms</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>stopped</source>
        <translation>interrompida</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cut at the token limit</source>
        <translation>cortada no limite de tokens</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>incomplete</source>
        <translation>incompleta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>error: %1</source>
        <translation>erro: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>low</source>
        <translation>baixo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>medium</source>
        <translation>médio</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>high</source>
        <translation>alto</translation>
    </message>
</context>
<context>
    <name>ModelBar</name>
    <message>
        <location filename="../../desktop/model_bar.py" line="+22"/>
        <source>Gemma 3 270M (demo)</source>
        <translation>Gemma 3 270M (demonstração)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The model answering in this window</source>
        <translation>O modelo que responde nesta janela</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Engine state</source>
        <translation>Estado do motor</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading progress</source>
        <translation>Progresso do carregamento</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Open a model file…</source>
        <translation>Abrir arquivo de modelo…</translation>
    </message>
</context>
<context>
    <name>ModelSettingsDialog</name>
    <message>
        <location filename="../../desktop/model_settings_dialog.py" line="+15"/>
        <source>Settings of %1</source>
        <translation>Configurações de %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+4"/>
        <source>App setting</source>
        <translation>Configuração do app</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All</source>
        <translation>Todas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Layers on the GPU where the backend has one; 0: none</source>
        <translation>Camadas na GPU, quando o backend tem uma; 0: nenhuma</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Context length (tokens)</source>
        <translation>Tamanho do contexto (tokens)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU threads</source>
        <translation>Threads da CPU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPU layers</source>
        <translation>Camadas na GPU</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <location filename="../../desktop/models_dialog.py" line="+64"/>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Installed</source>
        <translation>Instalados</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Get models</source>
        <translation>Baixar modelos</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+252"/>
        <location line="+200"/>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
    <message>
        <location line="-434"/>
        <source>Name</source>
        <translation>Nome</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+237"/>
        <source>Size</source>
        <translation>Tamanho</translation>
    </message>
    <message>
        <location line="-236"/>
        <source>Architecture</source>
        <translation>Arquitetura</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+235"/>
        <source>Quantisation</source>
        <translation>Quantização</translation>
    </message>
    <message>
        <location line="-234"/>
        <source>Context</source>
        <translation>Contexto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Location</source>
        <translation>Local</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Installed models</source>
        <translation>Modelos instalados</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Use</source>
        <translation>Usar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import a GGUF file…</source>
        <translation>Importar um arquivo GGUF…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove…</source>
        <translation>Remover…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Settings…</source>
        <translation>Configurações…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This model&apos;s context length, threads and GPU layers</source>
        <translation>Tamanho do contexto, threads e camadas na GPU deste modelo</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>The demo model comes with Lanterna, which falls back on it when no other model is chosen. It cannot be removed: Lanterna would prepare it again at the next start.</source>
        <translation>O modelo de demonstração vem com o Lanterna, que o usa quando nenhum outro modelo foi escolhido. Ele não pode ser removido: o Lanterna o prepararia de novo na próxima abertura.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 is an embedding model for document search: choose it in Settings.</source>
        <translation>%1 é um modelo de embeddings para a busca em documentos: escolha-o nas Configurações.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import a model</source>
        <translation>Importar um modelo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Checking %1…</source>
        <translation>Verificando %1…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Imported %1</source>
        <translation>%1 importado</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not imported: %1</source>
        <translation>Não importado: %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Settings of %1 saved; they apply the next time it loads.</source>
        <translation>Configurações de %1 salvas; valem na próxima vez que ele for carregado.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Remove model</source>
        <translation>Remover modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove %1? Its file is deleted when it is in the models folder.</source>
        <translation>Remover %1? O arquivo dele é excluído se estiver na pasta dos modelos.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+6"/>
        <source>Download</source>
        <translation>Baixar</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Licence</source>
        <translation>Licença</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fits?</source>
        <translation>Cabe?</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Recommended models</source>
        <translation>Modelos recomendados</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Search Hugging Face for GGUF models</source>
        <translation>Pesquisar modelos GGUF no Hugging Face</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search Hugging Face</source>
        <translation>Pesquisar no Hugging Face</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search</source>
        <translation>Pesquisar</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Repository</source>
        <translation>Repositório</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+187"/>
        <source>File</source>
        <translation>Arquivo</translation>
    </message>
    <message>
        <location line="-179"/>
        <source>Download file</source>
        <translation>Baixar arquivo</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Hugging Face token, for gated models</source>
        <translation>Token do Hugging Face, para modelos com acesso restrito</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hugging Face token</source>
        <translation>Token do Hugging Face</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save token</source>
        <translation>Salvar token</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>This model comes with Lanterna: there is nothing to download.</source>
        <translation>Este modelo vem com o Lanterna: não há nada para baixar.</translation>
    </message>
    <message>
        <location filename="../../desktop/model_text.py" line="+83"/>
        <source> (recommended)</source>
        <translation> (recomendado)</translation>
    </message>
    <message>
        <location filename="../../desktop/models_dialog.py" line="-24"/>
        <source>included</source>
        <translation>incluído</translation>
    </message>
    <message>
        <location filename="../../desktop/model_text.py" line="-50"/>
        <source>fits</source>
        <translation>cabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>tight</source>
        <translation>no limite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>won&apos;t fit</source>
        <translation>não cabe</translation>
    </message>
    <message>
        <source>%1 is an MLX model folder (%2). Lanterna cannot download folders yet: download it with the Hugging Face tools into the models folder, and it appears under Installed.</source>
        <translation type="vanished">%1 é uma pasta de modelo MLX (%2). O Lanterna ainda não baixa pastas: baixe-a com as ferramentas do Hugging Face para a pasta de modelos, e ela aparece em Instalados.</translation>
    </message>
    <message>
        <source>%1 is a model folder: download it with lanterna-engine models download %2</source>
        <translation type="vanished">%1 é uma pasta de modelo: baixe-a com lanterna-engine models download %2</translation>
    </message>
    <message>
        <location filename="../../desktop/models_dialog.py" line="+45"/>
        <source>Searching…</source>
        <translation>Pesquisando…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 repositories</source>
        <translation>%1 repositórios</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> (gated)</source>
        <translation> (acesso restrito)</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Hugging Face could not be reached: %1</source>
        <translation>Não foi possível acessar o Hugging Face: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Token saved in the system keyring.</source>
        <translation>Token salvo no chaveiro do sistema.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No system keyring here: the token is kept until Lanterna closes.</source>
        <translation>Não há chaveiro do sistema: o token fica guardado até o Lanterna ser fechado.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The token could not be saved.</source>
        <translation>Não foi possível salvar o token.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Progress</source>
        <translation>Progresso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speed</source>
        <translation>Velocidade</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time left</source>
        <translation>Tempo restante</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Pause</source>
        <translation>Pausar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume</source>
        <translation>Retomar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../../desktop/model_text.py" line="+192"/>
        <source>Starting</source>
        <translation>Iniciando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking what is on disk</source>
        <translation>Verificando o que já está no disco</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloading</source>
        <translation>Baixando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paused</source>
        <translation>Pausado</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Failed: %1</source>
        <translation>Falhou: %1</translation>
    </message>
    <message>
        <location line="-170"/>
        <source>No memory estimate for this model</source>
        <translation>Sem estimativa de memória para este modelo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Needs about %1 of the %2 of memory available now.</source>
        <translation>Precisa de cerca de %1 dos %2 de memória disponíveis agora.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Needs about %1 of the %2 of memory available now: it runs, but other programs may slow down; closing some makes room.</source>
        <translation>Precisa de cerca de %1 dos %2 de memória disponíveis agora: funciona, mas outros programas podem ficar lentos; fechar alguns libera espaço.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Needs about %1, more than this computer can spare (%2 of memory available now).</source>
        <translation>Precisa de cerca de %1, mais do que este computador pode dispor (%2 de memória disponíveis agora).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Needs about %1 but only %2 of memory is free now: closing other programs would make room.</source>
        <translation>Precisa de cerca de %1, mas só %2 de memória estão livres agora: fechar outros programas liberaria espaço.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model %1 + context cache %2 (%3 tokens) + runtime %4</source>
        <translation>Modelo %1 + cache de contexto %2 (%3 tokens) + execução %4</translation>
    </message>
    <message>
        <location line="+17"/>
        <source> (demo)</source>
        <translation> (demonstração)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (document search)</source>
        <translation> (busca em documentos)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Comes with Lanterna: nothing to download.
A small base model for trying the app: quick, but its answers are weak.</source>
        <translation>Vem com o Lanterna: nada para baixar.
Um pequeno modelo base para experimentar o app: rápido, mas com respostas fracas.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>For document search, not for chatting: after downloading, choose it in Settings.</source>
        <translation>Para busca em documentos, não para conversar: depois de baixar, escolha-o em Configurações.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reasons before it answers; you choose how hard it thinks (low, medium, high).</source>
        <translation>Raciocina antes de responder; você escolhe quanto ele pensa (baixo, médio, alto).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Can reason before it answers, or answer at once.</source>
        <translation>Pode raciocinar antes de responder, ou responder na hora.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quantisation %1 · context up to %2 tokens</source>
        <translation>Quantização %1 · contexto de até %2 tokens</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>MLX build for Apple silicon: the whole model folder is downloaded.</source>
        <translation>Versão MLX para Apple silicon: a pasta inteira do modelo é baixada.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The download size is approximate.</source>
        <translation>O tamanho do download é aproximado.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From %1 on Hugging Face</source>
        <translation>De %1 no Hugging Face</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Hugging Face refused access</source>
        <translation>o Hugging Face recusou o acesso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save a token under Get models, then Resume</source>
        <translation>Salve um token em Baixar modelos e depois clique em Retomar</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>gated model, licence not accepted</source>
        <translation>modelo restrito, licença não aceita</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accept its licence on Hugging Face and save a token, then Resume</source>
        <translation>Aceite a licença no Hugging Face, salve um token e depois clique em Retomar</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>not found on Hugging Face</source>
        <translation>não encontrado no Hugging Face</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the repository and file name</source>
        <translation>Verifique o repositório e o nome do arquivo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not enough disk space</source>
        <translation>espaço em disco insuficiente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Free some disk space, then Resume</source>
        <translation>Libere espaço em disco e depois clique em Retomar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>connection lost</source>
        <translation>conexão perdida</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume continues where it stopped</source>
        <translation>Retomar continua de onde parou</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>damaged file (checksum mismatch)</source>
        <translation>arquivo danificado (checksum não confere)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume downloads it again</source>
        <translation>Retomar baixa o arquivo de novo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>offline mode is on</source>
        <translation>o modo offline está ativado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unset HF_HUB_OFFLINE to download</source>
        <translation>Remova HF_HUB_OFFLINE para baixar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hugging Face had a problem</source>
        <translation>o Hugging Face teve um problema</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try again later with Resume</source>
        <translation>Tente de novo mais tarde com Retomar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>already being downloaded by another Lanterna</source>
        <translation>já está sendo baixado por outro Lanterna</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait until it finishes there</source>
        <translation>Espere até que termine lá</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not a valid repository or file name</source>
        <translation>repositório ou nome de arquivo inválido</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cannot write to the models folder</source>
        <translation>não é possível gravar na pasta de modelos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the models folder in Settings</source>
        <translation>Verifique a pasta de modelos em Configurações</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Failed</source>
        <translation>Falhou</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Done · verified</source>
        <translation>Concluído · verificado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>Cancelado</translation>
    </message>
</context>
<context>
    <name>PendingAttachments</name>
    <message>
        <location filename="../../desktop/attachments.py" line="+46"/>
        <source>Attached documents</source>
        <translation>Documentos anexados</translation>
    </message>
</context>
<context>
    <name>PromptProgress</name>
    <message>
        <location filename="../../desktop/prompt_progress.py" line="+36"/>
        <source>Embedding the passages…</source>
        <translation>Indexando os trechos…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the attached documents…</source>
        <translation>Lendo os documentos anexados…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the prompt…</source>
        <translation>Lendo o prompt…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 %2%</source>
        <translation>%1 %2%</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>about %1 s left</source>
        <translation>faltam cerca de %1 s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about %1 min left</source>
        <translation>faltam cerca de %1 min</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="+90"/>
        <source>Settings</source>
        <translation>Configurações</translation>
    </message>
    <message>
        <location line="+137"/>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Models &amp;folder:</source>
        <translation>&amp;Pasta dos modelos:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Where Lanterna keeps downloaded and imported models. Leave empty to use the default folder.</source>
        <translation>Onde o Lanterna guarda os modelos baixados e importados. Deixe em branco para usar a pasta padrão.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Default: {folder}</source>
        <translation>Padrão: {folder}</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+164"/>
        <source>Browse…</source>
        <translation>Procurar…</translation>
    </message>
    <message>
        <location line="-163"/>
        <location line="+325"/>
        <source>Choose the models folder</source>
        <translation>Escolher a pasta dos modelos</translation>
    </message>
    <message>
        <location line="-319"/>
        <source>CPU &amp;threads:</source>
        <translation>T&amp;hreads da CPU:</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+40"/>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location line="-34"/>
        <source>How many processor threads run the model. Automatic picks a number that suits this computer.</source>
        <translation>Quantas threads do processador executam o modelo. Automático escolhe um número adequado a este computador.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Conte&amp;xt length:</source>
        <translation>Tamanho do conte&amp;xto:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>How much text the model can take into account at once: the conversation and any attached documents. Longer contexts need more memory.</source>
        <translation>Quanto texto o modelo consegue levar em conta de uma vez: a conversa e os documentos anexados. Contextos maiores precisam de mais memória.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;GPU:</source>
        <translation>&amp;GPU:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Where GGUF models run. Automatic uses a graphics card when this computer has one and Lanterna has a build for it; the bar at the top shows what runs. Changing it restarts the engine.</source>
        <translation>Onde os modelos GGUF rodam. Automático usa uma placa de vídeo quando este computador tem uma e o Lanterna tem uma versão para ela; a barra no topo mostra o que está rodando. Mudar isto reinicia o motor.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Processor (CPU) only</source>
        <translation>Só o processador (CPU)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NVIDIA (CUDA)</source>
        <translation>NVIDIA (CUDA)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other graphics cards (Vulkan)</source>
        <translation>Outras placas de vídeo (Vulkan)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Embedding model for document search:</source>
        <translation>Modelo de &amp;embeddings para a busca em documentos:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>When documents are too long to be read whole, an embedding model helps find the passages that answer by their meaning, not only by their words. Download one in the Models window.</source>
        <translation>Quando os documentos são longos demais para serem lidos inteiros, um modelo de embeddings ajuda a encontrar os trechos que respondem pelo sentido, não só pelas palavras. Baixe um na janela Modelos.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>None (search by words only)</source>
        <translation>Nenhum (busca só por palavras)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Read attached documents while I type</source>
        <translation>Ler os documentos a&amp;nexados enquanto eu escrevo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The model starts reading the documents you attach as soon as they are ready, so the answer starts sooner after you send. It keeps the processor busy while you write.</source>
        <translation>O modelo começa a ler os documentos anexados assim que ficam prontos, para que a resposta comece mais cedo depois do envio. Isso ocupa o processador enquanto você escreve.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reasoning</source>
        <translation>Raciocínio</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reasoning &amp;display:</source>
        <translation>&amp;Exibição do raciocínio:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What you see of the model&apos;s thinking before it answers.</source>
        <translation>O que você vê do raciocínio do modelo antes da resposta.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hidden</source>
        <translation>Oculto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filtered</source>
        <translation>Filtrado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summary</source>
        <translation>Resumo</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Word lists</source>
        <translation>&amp;Listas de palavras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Withholds sentences that word lists and a small classifier place in a harmful category, such as violence or self-harm.</source>
        <translation>Retém frases que as listas de palavras e um pequeno classificador colocam em uma categoria nociva, como violência ou automutilação.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Personal data</source>
        <translation>Dados pe&amp;ssoais</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replaces e-mail addresses, phone numbers, card numbers and similar personal data with a placeholder.</source>
        <translation>Substitui endereços de e-mail, números de telefone, números de cartão e dados pessoais semelhantes por um marcador.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Guard model</source>
        <translation>Modelo &amp;guardião</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A classifier model checks what the other filters let through. Slower, and needs a guard model file.</source>
        <translation>Um modelo classificador verifica o que os outros filtros deixaram passar. É mais lento e precisa de um arquivo de modelo guardião.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Filters:</source>
        <translation>Filtros:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applied to the reasoning before any of it is shown.</source>
        <translation>Aplicados ao raciocínio antes que qualquer parte dele seja exibida.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Guard model f&amp;ile:</source>
        <translation>Arq&amp;uivo do guardião:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The guard model, a .gguf file. Used only when Guard model is ticked.</source>
        <translation>O modelo guardião, um arquivo .gguf. Usado apenas quando Modelo guardião está marcado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No guard model chosen</source>
        <translation>Nenhum modelo guardião escolhido</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+169"/>
        <source>Choose the guard model file</source>
        <translation>Escolher o arquivo do modelo guardião</translation>
    </message>
    <message>
        <location line="-159"/>
        <source>Appearance</source>
        <translation>Aparência</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>T&amp;heme:</source>
        <translation>&amp;Tema:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Light or dark colours. System follows your operating system.</source>
        <translation>Cores claras ou escuras. Sistema acompanha o seu sistema operacional.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dark</source>
        <translation>Escuro</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The language of Lanterna&apos;s windows. System default follows your computer.</source>
        <translation>O idioma das janelas do Lanterna. Padrão do sistema acompanha o seu computador.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System default</source>
        <translation>Padrão do sistema</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A new language applies the next time Lanterna starts.</source>
        <translation>Um novo idioma passa a valer na próxima vez que o Lanterna for aberto.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Automatic ({size} tokens)</source>
        <translation>Automático ({size} tokens)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{size} tokens</source>
        <translation>{size} tokens</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The reasoning, sentence by sentence, once the filters below have removed harmful or personal content.</source>
        <translation>O raciocínio, frase por frase, depois que os filtros abaixo removem conteúdo nocivo ou pessoal.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A short summary the model writes after answering, filtered too.</source>
        <translation>Um breve resumo que o modelo escreve depois de responder, também filtrado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only how long the model thought and how many tokens it used.</source>
        <translation>Apenas quanto tempo o modelo pensou e quantos tokens usou.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raw reasoning is never shown.</source>
        <translation>O raciocínio bruto nunca é exibido.</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>All files (*)</source>
        <translation>Todos os arquivos (*)</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../desktop/sidebar.py" line="+47"/>
        <location line="+3"/>
        <source>New chat</source>
        <translation>Nova conversa</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>Iniciar uma nova conversa (Ctrl+N)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search chats (Ctrl+K)</source>
        <translation>Pesquisar conversas (Ctrl+K)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search conversations</source>
        <translation>Pesquisar conversas</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Conversations</source>
        <translation>Conversas</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Untitled</source>
        <translation>Sem título</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No chat matches</source>
        <translation>Nenhuma conversa encontrada</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Rename</source>
        <translation>Renomear</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation>Exportar…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>Excluir</translation>
    </message>
</context>
<context>
    <name>SourceDialog</name>
    <message>
        <location filename="../../desktop/citations.py" line="+78"/>
        <source>Source</source>
        <translation>Fonte</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Excerpt</source>
        <translation>Trecho</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Open file</source>
        <translation>Abrir arquivo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open the document at page %1</source>
        <translation>Abrir o documento na página %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the document</source>
        <translation>Abrir o documento</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The file is no longer there: %1. Attach it again to cite it.</source>
        <translation>O arquivo não está mais lá: %1. Anexe-o de novo para citá-lo.</translation>
    </message>
</context>
<context>
    <name>SourcesList</name>
    <message>
        <location line="-132"/>
        <location line="+4"/>
        <source>Sources</source>
        <translation>Fontes</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Cited in the answer</source>
        <translation>Citado na resposta</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 · p. %2</source>
        <translation>%1 · p. %2</translation>
    </message>
</context>
<context>
    <name>WelcomeCard</name>
    <message>
        <location filename="../../desktop/welcome.py" line="+28"/>
        <location line="+74"/>
        <source>Ask anything</source>
        <translation>Pergunte qualquer coisa</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>Recommended: gpt-oss-20b</source>
        <translation>Recomendado: gpt-oss-20b</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>OpenAI&apos;s open-weight reasoning model: 21B parameters, 128k context, adjustable reasoning effort. A 12.1 GB download; it runs in 16 GB of memory.</source>
        <translation>O modelo de raciocínio de pesos abertos da OpenAI: 21 bilhões de parâmetros, contexto de 128k e esforço de raciocínio ajustável. Download de 12,1 GB; roda com 16 GB de memória.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Get gpt-oss-20b…</source>
        <translation>Baixar gpt-oss-20b…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Get gpt-oss-20b</source>
        <translation>Baixar gpt-oss-20b</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model file…</source>
        <translation>Abrir arquivo de modelo…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a model file</source>
        <translation>Abrir arquivo de modelo</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Welcome to Lanterna</source>
        <translation>Boas-vindas ao Lanterna</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No model is ready yet. Download one below, or open a GGUF model file you already have. Everything stays on this computer.</source>
        <translation>Nenhum modelo está pronto ainda. Baixe um abaixo ou abra um arquivo de modelo GGUF que você já tenha. Tudo fica neste computador.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The demo model, Gemma 3 270M, is ready and works offline. It is tiny: it continues text rather than following instructions, so expect short, simple answers. Everything stays on this computer.</source>
        <translation>O modelo de demonstração, Gemma 3 270M, está pronto e funciona offline. Ele é bem pequeno: continua textos em vez de seguir instruções, então espere respostas curtas e simples. Tudo fica neste computador.</translation>
    </message>
    <message>
        <source>The demo model, Gemma 3 270M, is ready and works offline. It is tiny: it continues text rather than follows instructions, so expect short, simple answers. Everything stays on this computer.</source>
        <translation type="vanished">O modelo de demonstração, Gemma 3 270M, está pronto e funciona offline. Ele é bem pequeno: continua textos em vez de seguir instruções, então espere respostas curtas e simples. Tudo fica neste computador.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your messages and the model&apos;s answers stay on this computer.</source>
        <translation>Suas mensagens e as respostas do modelo ficam neste computador.</translation>
    </message>
</context>
</TS>
