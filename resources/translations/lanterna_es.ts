<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../desktop/attachment_chip.py" line="+107"/>
        <source>Reading</source>
        <translation>Leyendo</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+1"/>
        <source>Remove %1</source>
        <translation>Quitar %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Reading…</source>
        <translation>Leyendo…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1: reading</source>
        <translation>%1: leyendo</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>only the first %1 of %2 pages were read</source>
        <translation>solo se leyeron las primeras %1 de %2 páginas</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>1 page could not be read</source>
        <translation>no se pudo leer 1 página</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 pages could not be read</source>
        <translation>no se pudieron leer %1 páginas</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>scanned PDF: 1 page has no text</source>
        <translation>PDF escaneado: 1 página sin texto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>scanned PDF: %1 pages have no text</source>
        <translation>PDF escaneado: %1 páginas sin texto</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>1 page has no text</source>
        <translation>1 página sin texto</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 pages have no text</source>
        <translation>%1 páginas sin texto</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>truncated at %1 of text</source>
        <translation>recortado a %1 de texto</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not a kind of document Lanterna reads</source>
        <translation>No es un tipo de documento que Lanterna lea</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password-protected: cannot be read</source>
        <translation>Protegido con contraseña: no se puede leer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too large to read</source>
        <translation>Demasiado grande para leer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not text: a binary file</source>
        <translation>No es texto: un archivo binario</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Damaged: cannot be read</source>
        <translation>Dañado: no se puede leer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Took too long to read</source>
        <translation>La lectura tardó demasiado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No text to read</source>
        <translation>No hay texto que leer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File not found</source>
        <translation>No se encontró el archivo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot be read</source>
        <translation>No se puede leer</translation>
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
        <translation>Conversación</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../desktop/composer.py" line="+89"/>
        <source>Editing a message: sending starts a new branch.</source>
        <translation>Editando un mensaje: al enviarlo se crea una nueva rama.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Cancel edit</source>
        <translation>Cancelar edición</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Ask anything… (Enter to send, Shift+Enter for a new line)</source>
        <translation>Pregunta lo que quieras… (Enter para enviar, Shift+Enter para una nueva línea)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Attach…</source>
        <translation>Adjuntar…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+148"/>
        <source>Attach documents</source>
        <translation>Adjuntar documentos</translation>
    </message>
    <message>
        <location line="-145"/>
        <source>Attach documents to ask about: PDF, Word, Markdown, text or HTML (or drop files and folders on the window)</source>
        <translation>Adjunta documentos para preguntar sobre ellos: PDF, Word, Markdown, texto o HTML (o arrastra archivos y carpetas a la ventana)</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+8"/>
        <source>Reasoning effort</source>
        <translation>Esfuerzo de razonamiento</translation>
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
        <translation>Enviar (Enter) · Detener (Esc)</translation>
    </message>
    <message>
        <location line="-41"/>
        <location line="+31"/>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sending waits until the documents have been read</source>
        <translation>El envío espera a que se hayan leído los documentos</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>How long the model thinks before answering: low is fastest, high is most careful</source>
        <translation>Cuánto piensa el modelo antes de responder: bajo es lo más rápido, alto lo más cuidadoso</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This model has no reasoning-effort control</source>
        <translation>Este modelo no permite ajustar el esfuerzo de razonamiento</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Low</source>
        <translation>Bajo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Medium</source>
        <translation>Medio</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>High</source>
        <translation>Alto</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Documents (%1);;All files (*)</source>
        <translation>Documentos (%1);;Todos los archivos (*)</translation>
    </message>
</context>
<context>
    <name>DocumentsNote</name>
    <message>
        <location filename="../../desktop/citations.py" line="+54"/>
        <source>How the documents were used</source>
        <translation>Cómo se usaron los documentos</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Searched the documents for “%1”</source>
        <translation>Buscó «%1» en los documentos</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No longer found: %1. Attach them again to ask about them.</source>
        <translation>Ya no se encuentran: %1. Vuelve a adjuntarlos para preguntar sobre ellos.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Read 1 document whole (%2 tokens)</source>
        <translation>Leyó 1 documento completo (%2 tokens)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Read %1 documents whole (%2 tokens)</source>
        <translation>Leyó %1 documentos completos (%2 tokens)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Searched 1 document: passages for this question</source>
        <translation>Buscó en 1 documento: fragmentos para esta pregunta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Searched %1 documents: passages for this question</source>
        <translation>Buscó en %1 documentos: fragmentos para esta pregunta</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The documents take %1 tokens of the %2 the context leaves them</source>
        <translation>Los documentos ocupan %1 tokens de los %2 que el contexto les deja</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/main_window.py" line="+202"/>
        <source>Starting the engine…</source>
        <translation>Iniciando el motor…</translation>
    </message>
    <message>
        <location line="+31"/>
        <location line="+1"/>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings (Ctrl+,)</source>
        <translation>Configuración (Ctrl+,)</translation>
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
        <translation>Descartar</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New chat</source>
        <translation>Nueva conversación</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open a model file…</source>
        <translation>Abrir archivo de modelo…</translation>
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
        <translation>Configuración…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Chat</source>
        <translation>&amp;Conversación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search chats</source>
        <translation>Buscar conversaciones</translation>
    </message>
    <message>
        <location line="+972"/>
        <source>The engine stopped: %1. Your conversation is kept.</source>
        <translation>El motor se detuvo: %1. Tu conversación se conserva.</translation>
    </message>
    <message>
        <source>Find in chats</source>
        <translation type="vanished">Buscar en las conversaciones</translation>
    </message>
    <message>
        <location line="-969"/>
        <source>Focus the message box</source>
        <translation>Ir al cuadro de mensaje</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Your chat history could not be opened: %1. Chats will not be saved.</source>
        <translation>No se pudo abrir el historial de conversaciones: %1. Las conversaciones no se guardarán.</translation>
    </message>
    <message>
        <location line="+75"/>
        <source>Delete chat</source>
        <translation>Eliminar conversación</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this chat and all its messages? This cannot be undone.</source>
        <translation>¿Eliminar esta conversación y todos sus mensajes? No se puede deshacer.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Nothing to export yet</source>
        <translation>Aún no hay nada que exportar</translation>
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
        <translation>Exportar conversación</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Exported to %1</source>
        <translation>Exportado a %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The chat could not be exported: %1</source>
        <translation>No se pudo exportar la conversación: %1</translation>
    </message>
    <message>
        <source>%1 does not exist</source>
        <translation type="vanished">%1 no existe</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The model %1 is no longer there; using the demo model.</source>
        <translation>No se encontró el modelo %1; se usará el modelo de demostración.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Preparing the demo model…</source>
        <translation>Preparando el modelo de demostración…</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>No model</source>
        <translation>Sin modelo</translation>
    </message>
    <message>
        <source>The model could not be prepared: %1</source>
        <translation type="vanished">No se pudo preparar el modelo: %1</translation>
    </message>
    <message>
        <source>The demo model could not be prepared: %1</source>
        <translation type="vanished">No se pudo preparar el modelo de demostración: %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Open a model</source>
        <translation>Abrir un modelo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>Modelos GGUF (*.gguf);;Todos los archivos (*)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>%1 needs about %2 at %3 tokens of context, and this computer has %4 available. Loading it may make the computer very slow, or fail.</source>
        <translation>%1 necesita unos %2 con %3 tokens de contexto, y este ordenador tiene %4 disponibles. Cargarlo puede volver el ordenador muy lento, o fallar.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>needs %1, %2 available</source>
        <translation>necesita %1, %2 disponibles</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>Downloading %1 · %2%</source>
        <translation>Descargando %1 · %2%</translation>
    </message>
    <message>
        <location line="+185"/>
        <source>Reading the prompt…</source>
        <translation>Leyendo el prompt…</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="vanished">Listo</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>This chat could not be saved: %1</source>
        <translation>No se pudo guardar esta conversación: %1</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Delete message</source>
        <translation>Eliminar mensaje</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this message and everything after it in this branch?</source>
        <translation>¿Eliminar este mensaje y todo lo que le sigue en esta rama?</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Copied</source>
        <translation>Copiado</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The new language applies the next time Lanterna starts</source>
        <translation>El nuevo idioma se aplica la próxima vez que se inicie Lanterna</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Engine ready</source>
        <translation>Motor listo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Loading… %1%</source>
        <translation>Cargando… %1%</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Not loaded</source>
        <translation>No cargado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The model could not be loaded: %1</source>
        <translation>No se pudo cargar el modelo: %1</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Ready · %1 · %2 tokens of context</source>
        <translation>Listo · %1 · contexto de %2 tokens</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>GPU layers: %1</source>
        <translation>Capas en la GPU: %1</translation>
    </message>
    <message>
        <location line="-713"/>
        <source>the model %1 does not exist</source>
        <translation>el modelo %1 no existe</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>Not enough memory</source>
        <translation>Memoria insuficiente</translation>
    </message>
    <message>
        <source>%1 needs about %2 GiB at %3 tokens of context, and this computer has %4 GiB available. Loading it may make the computer very slow, or fail.</source>
        <translation type="vanished">%1 necesita unos %2 GiB con %3 tokens de contexto, y este equipo tiene %4 GiB disponibles. Cargarlo puede hacer que el equipo vaya muy lento, o fallar.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A shorter context (the model&apos;s Settings in the Models window) needs less.</source>
        <translation>Un contexto más corto (en los Ajustes del modelo, en la ventana Modelos) necesita menos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Load anyway</source>
        <translation>Cargar de todos modos</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Not loaded: not enough memory</source>
        <translation>No cargado: memoria insuficiente</translation>
    </message>
    <message>
        <source>needs %1 GiB, %2 GiB available</source>
        <translation type="vanished">necesita %1 GiB, %2 GiB disponibles</translation>
    </message>
    <message>
        <location line="+460"/>
        <source>The GPU choice applies when the engine restarts</source>
        <translation>La elección de GPU se aplica cuando el motor se reinicia</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Attached documents read: ready for your question</source>
        <translation>Documentos adjuntos leídos: listo para tu pregunta</translation>
    </message>
    <message>
        <location line="+36"/>
        <location line="+1"/>
        <source>Answering…</source>
        <translation>Respondiendo…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Thinking…</source>
        <translation>Pensando…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Summarising the reasoning…</source>
        <translation>Resumiendo el razonamiento…</translation>
    </message>
    <message>
        <location filename="../../desktop/engine_errors.py" line="+59"/>
        <source>the conversation no longer fits the model&apos;s context of %1 tokens: start a new chat, or raise the context length in Settings</source>
        <translation>la conversación ya no cabe en el contexto del modelo, de %1 tokens: empieza una conversación nueva o aumenta la longitud del contexto en Configuración</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>there is not enough memory for this model: a shorter context length (Settings) or a smaller model needs less</source>
        <translation>no hay memoria suficiente para este modelo: un contexto más corto (Configuración) o un modelo más pequeño necesita menos</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>this file is not a model Lanterna can run, or it is damaged</source>
        <translation>este archivo no es un modelo que Lanterna pueda ejecutar, o está dañado</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the engine could not load this model: the file may be damaged or incomplete, or this version of Lanterna does not support its architecture</source>
        <translation>el motor no pudo cargar este modelo: el archivo puede estar dañado o incompleto, o esta versión de Lanterna no admite su arquitectura</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the engine that runs this kind of model is missing from this installation</source>
        <translation>falta en esta instalación el motor que ejecuta este tipo de modelo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the engine failed while answering</source>
        <translation>el motor falló mientras respondía</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the engine cannot use these settings: check the GPU choice in Settings</source>
        <translation>el motor no puede usar esta configuración: revisa la elección de GPU en Configuración</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>this conversation could not be prepared for the model</source>
        <translation>no se pudo preparar esta conversación para el modelo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no model is loaded: choose one at the top of the window</source>
        <translation>no hay ningún modelo cargado: elige uno en la parte superior de la ventana</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the reasoning filter&apos;s word lists could not be read: turn off Word lists in Settings, or reinstall Lanterna</source>
        <translation>no se pudieron leer las listas de palabras del filtro de razonamiento: desactiva Listas de palabras en Configuración, o reinstala Lanterna</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>loading was cancelled</source>
        <translation>la carga se canceló</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>something went wrong inside the engine</source>
        <translation>algo salió mal dentro del motor</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the engine did not understand a request from the window</source>
        <translation>el motor no entendió una petición de la ventana</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>it stopped responding</source>
        <translation>dejó de responder</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>it was killed (SIGKILL); the system may have run out of memory</source>
        <translation>se cerró a la fuerza (SIGKILL); puede que el sistema se haya quedado sin memoria</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it crashed in native code (%1)</source>
        <translation>falló en código nativo (%1)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>it crashed: this processor lacks an instruction the engine was built for (SIGILL)</source>
        <translation>falló: este procesador no tiene una instrucción para la que se compiló el motor (SIGILL)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>it aborted (SIGABRT)</source>
        <translation>abortó (SIGABRT)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>it was stopped by %1</source>
        <translation>lo detuvo %1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>it crashed (exception 0x%1)</source>
        <translation>falló (excepción 0x%1)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>it exited with code %1</source>
        <translation>terminó con el código %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the demo model is not part of this installation: choose or download a model in Models</source>
        <translation>el modelo de demostración no forma parte de esta instalación: elige o descarga un modelo en Modelos</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the demo model in this installation is damaged: reinstall Lanterna, or choose another model in Models</source>
        <translation>el modelo de demostración de esta instalación está dañado: reinstala Lanterna o elige otro modelo en Modelos</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the demo model could not be written to the models folder: free some disk space, or choose another folder in Settings</source>
        <translation>no se pudo escribir el modelo de demostración en la carpeta de modelos: libera espacio en disco o elige otra carpeta en Configuración</translation>
    </message>
    <message>
        <location filename="../../desktop/main_window.py" line="+18"/>
        <source>the engine stopped</source>
        <translation>el motor se detuvo</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Engine stopped</source>
        <translation>Motor detenido</translation>
    </message>
    <message>
        <source> (exit code %1)</source>
        <translation type="vanished"> (código de salida %1)</translation>
    </message>
    <message>
        <source>The engine stopped: %1%2. Your conversation is kept.</source>
        <translation type="vanished">El motor se detuvo: %1%2. Tu conversación no se perdió.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Restarting the engine…</source>
        <translation>Reiniciando el motor…</translation>
    </message>
</context>
<context>
    <name>MessageWidget</name>
    <message>
        <location filename="../../desktop/message_view.py" line="+125"/>
        <source>Your message</source>
        <translation>Tu mensaje</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Answer</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>You</source>
        <translation>Tú</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lanterna</source>
        <translation>Lanterna</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Previous version</source>
        <translation>Versión anterior</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Next version</source>
        <translation>Versión siguiente</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reasoning</source>
        <translation>Razonamiento</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Filtered reasoning</source>
        <translation>Razonamiento filtrado</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Message text</source>
        <translation>Texto del mensaje</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Answer details</source>
        <translation>Detalles de la respuesta</translation>
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
        <translation>Copiar este mensaje</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Edit</source>
        <translation>Editar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit and send again</source>
        <translation>Editar y volver a enviar</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Regenerate</source>
        <translation>Regenerar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Write another answer</source>
        <translation>Generar otra respuesta</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete this message and what follows it</source>
        <translation>Eliminar este mensaje y lo que le sigue</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Reading the prompt…</source>
        <translation>Leyendo el prompt…</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Thinking… %1 s · %2 tokens</source>
        <translation>Pensando… %1 s · %2 tokens</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Attached documents</source>
        <translation>Documentos adjuntos</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>No summary: %1</source>
        <translation>Sin resumen: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Thought for %1 s · %2 tokens</source>
        <translation>Pensó durante %1 s · %2 tokens</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Show the filtered reasoning</source>
        <translation>Mostrar el razonamiento filtrado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The reasoning is hidden (Settings → Reasoning display)</source>
        <translation>El razonamiento está oculto (Configuración → Vista del razonamiento)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>effort %1</source>
        <translation>esfuerzo %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 tok/s</source>
        <translation>%1 tok/s</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>first token %1 ms</source>
        <translation>primer token en %1 ms</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>stopped</source>
        <translation>detenida</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cut at the token limit</source>
        <translation>cortada en el límite de tokens</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>incomplete</source>
        <translation>incompleta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>error: %1</source>
        <translation>error: %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>low</source>
        <translation>bajo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>medium</source>
        <translation>medio</translation>
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
        <translation>Gemma 3 270M (demostración)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The model answering in this window</source>
        <translation>El modelo que responde en esta ventana</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Engine state</source>
        <translation>Estado del motor</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading progress</source>
        <translation>Progreso de carga</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Open a model file…</source>
        <translation>Abrir archivo de modelo…</translation>
    </message>
</context>
<context>
    <name>ModelSettingsDialog</name>
    <message>
        <location filename="../../desktop/model_settings_dialog.py" line="+15"/>
        <source>Settings of %1</source>
        <translation>Configuración de %1</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+4"/>
        <source>App setting</source>
        <translation>Configuración de la app</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All</source>
        <translation>Todas</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Layers on the GPU where the backend has one; 0: none</source>
        <translation>Capas en la GPU, si el backend tiene una; 0: ninguna</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Context length (tokens)</source>
        <translation>Longitud del contexto (tokens)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU threads</source>
        <translation>Hilos de la CPU</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GPU layers</source>
        <translation>Capas en la GPU</translation>
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
        <translation>Descargar modelos</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+252"/>
        <location line="+200"/>
        <source>Downloads</source>
        <translation>Descargas</translation>
    </message>
    <message>
        <location line="-434"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+237"/>
        <source>Size</source>
        <translation>Tamaño</translation>
    </message>
    <message>
        <location line="-236"/>
        <source>Architecture</source>
        <translation>Arquitectura</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+235"/>
        <source>Quantisation</source>
        <translation>Cuantización</translation>
    </message>
    <message>
        <location line="-234"/>
        <source>Context</source>
        <translation>Contexto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Location</source>
        <translation>Ubicación</translation>
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
        <translation>Importar un archivo GGUF…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove…</source>
        <translation>Quitar…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Settings…</source>
        <translation>Configuración…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This model&apos;s context length, threads and GPU layers</source>
        <translation>Longitud del contexto, hilos y capas en la GPU de este modelo</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>The demo model comes with Lanterna, which falls back on it when no other model is chosen. It cannot be removed: Lanterna would prepare it again at the next start.</source>
        <translation>El modelo de demostración viene con Lanterna, que lo usa cuando no se ha elegido otro modelo. No se puede eliminar: Lanterna lo prepararía de nuevo en el próximo inicio.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 is an embedding model for document search: choose it in Settings.</source>
        <translation>%1 es un modelo de embeddings para la búsqueda en documentos: elígelo en Configuración.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import a model</source>
        <translation>Importar un modelo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Checking %1…</source>
        <translation>Comprobando %1…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Imported %1</source>
        <translation>%1 importado</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not imported: %1</source>
        <translation>No importado: %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Settings of %1 saved; they apply the next time it loads.</source>
        <translation>Configuración de %1 guardada; se aplica la próxima vez que se cargue.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Remove model</source>
        <translation>Quitar modelo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove %1? Its file is deleted when it is in the models folder.</source>
        <translation>¿Quitar %1? Su archivo se elimina si está en la carpeta de modelos.</translation>
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
        <translation>Descargar</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Licence</source>
        <translation>Licencia</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fits?</source>
        <translation>¿Cabe?</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Recommended models</source>
        <translation>Modelos recomendados</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Search Hugging Face for GGUF models</source>
        <translation>Buscar modelos GGUF en Hugging Face</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search Hugging Face</source>
        <translation>Buscar en Hugging Face</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search</source>
        <translation>Buscar</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Repository</source>
        <translation>Repositorio</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+187"/>
        <source>File</source>
        <translation>Archivo</translation>
    </message>
    <message>
        <location line="-179"/>
        <source>Download file</source>
        <translation>Descargar archivo</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Hugging Face token, for gated models</source>
        <translation>Token de Hugging Face, para modelos de acceso restringido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hugging Face token</source>
        <translation>Token de Hugging Face</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save token</source>
        <translation>Guardar token</translation>
    </message>
    <message>
        <location line="+65"/>
        <source>This model comes with Lanterna: there is nothing to download.</source>
        <translation>Este modelo viene con Lanterna: no hay nada que descargar.</translation>
    </message>
    <message>
        <location filename="../../desktop/model_text.py" line="+83"/>
        <source> (recommended)</source>
        <translation> (recomendado)</translation>
    </message>
    <message>
        <location filename="../../desktop/models_dialog.py" line="-24"/>
        <source>included</source>
        <translation>incluido</translation>
    </message>
    <message>
        <location filename="../../desktop/model_text.py" line="-50"/>
        <source>fits</source>
        <translation>cabe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>tight</source>
        <translation>justo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>won&apos;t fit</source>
        <translation>no cabe</translation>
    </message>
    <message>
        <source>%1 is an MLX model folder (%2). Lanterna cannot download folders yet: download it with the Hugging Face tools into the models folder, and it appears under Installed.</source>
        <translation type="vanished">%1 es una carpeta de modelo MLX (%2). Lanterna aún no descarga carpetas: descárgala con las herramientas de Hugging Face en la carpeta de modelos y aparecerá en Instalados.</translation>
    </message>
    <message>
        <source>%1 is a model folder: download it with lanterna-engine models download %2</source>
        <translation type="vanished">%1 es una carpeta de modelo: descárgala con lanterna-engine models download %2</translation>
    </message>
    <message>
        <location filename="../../desktop/models_dialog.py" line="+45"/>
        <source>Searching…</source>
        <translation>Buscando…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 repositories</source>
        <translation>%1 repositorios</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> (gated)</source>
        <translation> (acceso restringido)</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Hugging Face could not be reached: %1</source>
        <translation>No se pudo conectar con Hugging Face: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Token saved in the system keyring.</source>
        <translation>Token guardado en el llavero del sistema.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No system keyring here: the token is kept until Lanterna closes.</source>
        <translation>No hay llavero del sistema: el token se conserva hasta que se cierre Lanterna.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The token could not be saved.</source>
        <translation>No se pudo guardar el token.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speed</source>
        <translation>Velocidad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time left</source>
        <translation>Tiempo restante</translation>
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
        <translation>Reanudar</translation>
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
        <translation>Comprobando lo que ya está en el disco</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloading</source>
        <translation>Descargando</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Failed: %1</source>
        <translation>Falló: %1</translation>
    </message>
    <message>
        <location line="-170"/>
        <source>No memory estimate for this model</source>
        <translation>Sin estimación de memoria para este modelo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Needs about %1 of the %2 of memory available now.</source>
        <translation>Necesita unos %1 de los %2 de memoria disponibles ahora.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Needs about %1 of the %2 of memory available now: it runs, but other programs may slow down; closing some makes room.</source>
        <translation>Necesita unos %1 de los %2 de memoria disponibles ahora: funciona, pero otros programas pueden ir más lentos; cerrar algunos libera espacio.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Needs about %1, more than this computer can spare (%2 of memory available now).</source>
        <translation>Necesita unos %1, más de lo que este ordenador puede dedicarle (%2 de memoria disponibles ahora).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Needs about %1 but only %2 of memory is free now: closing other programs would make room.</source>
        <translation>Necesita unos %1, pero ahora solo hay %2 de memoria libres: cerrar otros programas liberaría espacio.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model %1 + context cache %2 (%3 tokens) + runtime %4</source>
        <translation>Modelo %1 + caché de contexto %2 (%3 tokens) + ejecución %4</translation>
    </message>
    <message>
        <location line="+17"/>
        <source> (demo)</source>
        <translation> (demostración)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (document search)</source>
        <translation> (búsqueda en documentos)</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Comes with Lanterna: nothing to download.
A small base model for trying the app: quick, but its answers are weak.</source>
        <translation>Viene con Lanterna: nada que descargar.
Un pequeño modelo base para probar la aplicación: rápido, pero con respuestas flojas.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>For document search, not for chatting: after downloading, choose it in Settings.</source>
        <translation>Para búsqueda en documentos, no para conversar: después de descargarlo, elígelo en Configuración.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Reasons before it answers; you choose how hard it thinks (low, medium, high).</source>
        <translation>Razona antes de responder; tú eliges cuánto piensa (bajo, medio, alto).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Can reason before it answers, or answer at once.</source>
        <translation>Puede razonar antes de responder, o responder al momento.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Quantisation %1 · context up to %2 tokens</source>
        <translation>Cuantización %1 · contexto de hasta %2 tokens</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>MLX build for Apple silicon: the whole model folder is downloaded.</source>
        <translation>Versión MLX para Apple silicon: se descarga la carpeta entera del modelo.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The download size is approximate.</source>
        <translation>El tamaño de la descarga es aproximado.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From %1 on Hugging Face</source>
        <translation>De %1 en Hugging Face</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Hugging Face refused access</source>
        <translation>Hugging Face denegó el acceso</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save a token under Get models, then Resume</source>
        <translation>Guarda un token en Descargar modelos y luego pulsa Reanudar</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>gated model, licence not accepted</source>
        <translation>modelo restringido, licencia no aceptada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accept its licence on Hugging Face and save a token, then Resume</source>
        <translation>Acepta su licencia en Hugging Face, guarda un token y luego pulsa Reanudar</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>not found on Hugging Face</source>
        <translation>no encontrado en Hugging Face</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the repository and file name</source>
        <translation>Revisa el repositorio y el nombre del archivo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not enough disk space</source>
        <translation>espacio en disco insuficiente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Free some disk space, then Resume</source>
        <translation>Libera espacio en disco y luego pulsa Reanudar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>connection lost</source>
        <translation>conexión perdida</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume continues where it stopped</source>
        <translation>Reanudar continúa donde se detuvo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>damaged file (checksum mismatch)</source>
        <translation>archivo dañado (la suma de comprobación no coincide)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume downloads it again</source>
        <translation>Reanudar lo descarga de nuevo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>offline mode is on</source>
        <translation>el modo sin conexión está activado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unset HF_HUB_OFFLINE to download</source>
        <translation>Quita HF_HUB_OFFLINE para descargar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hugging Face had a problem</source>
        <translation>Hugging Face tuvo un problema</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try again later with Resume</source>
        <translation>Inténtalo más tarde con Reanudar</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>already being downloaded by another Lanterna</source>
        <translation>ya lo está descargando otro Lanterna</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wait until it finishes there</source>
        <translation>Espera a que termine allí</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not a valid repository or file name</source>
        <translation>repositorio o nombre de archivo no válido</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>cannot write to the models folder</source>
        <translation>no se puede escribir en la carpeta de modelos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the models folder in Settings</source>
        <translation>Revisa la carpeta de modelos en Configuración</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Failed</source>
        <translation>Falló</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Done · verified</source>
        <translation>Completado · verificado</translation>
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
        <translation>Documentos adjuntos</translation>
    </message>
</context>
<context>
    <name>PromptProgress</name>
    <message>
        <location filename="../../desktop/prompt_progress.py" line="+36"/>
        <source>Embedding the passages…</source>
        <translation>Indexando los fragmentos…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the attached documents…</source>
        <translation>Leyendo los documentos adjuntos…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the prompt…</source>
        <translation>Leyendo el prompt…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 %2%</source>
        <translation>%1 %2 %</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>about %1 s left</source>
        <translation>quedan unos %1 s</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>about %1 min left</source>
        <translation>quedan unos %1 min</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="+90"/>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <location line="+137"/>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Models &amp;folder:</source>
        <translation>Ca&amp;rpeta de modelos:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Where Lanterna keeps downloaded and imported models. Leave empty to use the default folder.</source>
        <translation>Dónde guarda Lanterna los modelos descargados e importados. Dejar vacío para usar la carpeta predeterminada.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Default: {folder}</source>
        <translation>Predeterminada: {folder}</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+164"/>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <location line="-163"/>
        <location line="+325"/>
        <source>Choose the models folder</source>
        <translation>Elegir la carpeta de modelos</translation>
    </message>
    <message>
        <location line="-319"/>
        <source>CPU &amp;threads:</source>
        <translation>&amp;Hilos de CPU:</translation>
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
        <translation>Cuántos hilos del procesador ejecutan el modelo. Automático elige un número adecuado para este equipo.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Conte&amp;xt length:</source>
        <translation>Tamaño del conte&amp;xto:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>How much text the model can take into account at once: the conversation and any attached documents. Longer contexts need more memory.</source>
        <translation>Cuánto texto puede tener en cuenta el modelo a la vez: la conversación y los documentos adjuntos. Los contextos más largos necesitan más memoria.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;GPU:</source>
        <translation>&amp;GPU:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Where GGUF models run. Automatic uses a graphics card when this computer has one and Lanterna has a build for it; the bar at the top shows what runs. Changing it restarts the engine.</source>
        <translation>Dónde se ejecutan los modelos GGUF. Automático usa una tarjeta gráfica cuando este equipo tiene una y Lanterna tiene una versión para ella; la barra superior muestra qué se está ejecutando. Cambiarlo reinicia el motor.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Processor (CPU) only</source>
        <translation>Solo el procesador (CPU)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>NVIDIA (CUDA)</source>
        <translation>NVIDIA (CUDA)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other graphics cards (Vulkan)</source>
        <translation>Otras tarjetas gráficas (Vulkan)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Embedding model for document search:</source>
        <translation>Modelo de &amp;embeddings para la búsqueda en documentos:</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>When documents are too long to be read whole, an embedding model helps find the passages that answer by their meaning, not only by their words. Download one in the Models window.</source>
        <translation>Cuando los documentos son demasiado largos para leerse enteros, un modelo de embeddings ayuda a encontrar los pasajes que responden por su sentido, no solo por sus palabras. Descarga uno en la ventana Modelos.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>None (search by words only)</source>
        <translation>Ninguno (buscar solo por palabras)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Read attached documents while I type</source>
        <translation>Leer los documentos adjuntos mientras e&amp;scribo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The model starts reading the documents you attach as soon as they are ready, so the answer starts sooner after you send. It keeps the processor busy while you write.</source>
        <translation>El modelo empieza a leer los documentos que adjuntas en cuanto están listos, para que la respuesta empiece antes tras el envío. Mantiene ocupado el procesador mientras escribes.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reasoning</source>
        <translation>Razonamiento</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reasoning &amp;display:</source>
        <translation>&amp;Vista del razonamiento:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What you see of the model&apos;s thinking before it answers.</source>
        <translation>Lo que se ve del razonamiento del modelo antes de que responda.</translation>
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
        <translation>Resumen</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>&amp;Word lists</source>
        <translation>&amp;Listas de palabras</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Withholds sentences that word lists and a small classifier place in a harmful category, such as violence or self-harm.</source>
        <translation>Retiene las frases que las listas de palabras y un pequeño clasificador sitúan en una categoría dañina, como la violencia o las autolesiones.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Personal data</source>
        <translation>&amp;Datos personales</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replaces e-mail addresses, phone numbers, card numbers and similar personal data with a placeholder.</source>
        <translation>Sustituye direcciones de correo electrónico, números de teléfono, números de tarjeta y datos personales similares por un marcador.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Guard model</source>
        <translation>&amp;Modelo guardián</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A classifier model checks what the other filters let through. Slower, and needs a guard model file.</source>
        <translation>Un modelo clasificador revisa lo que los otros filtros dejan pasar. Es más lento y necesita un archivo de modelo guardián.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Filters:</source>
        <translation>Filtros:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Applied to the reasoning before any of it is shown.</source>
        <translation>Se aplican al razonamiento antes de mostrar cualquier parte de él.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Guard model f&amp;ile:</source>
        <translation>Archivo del &amp;guardián:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The guard model, a .gguf file. Used only when Guard model is ticked.</source>
        <translation>El modelo guardián, un archivo .gguf. Solo se usa cuando Modelo guardián está marcado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No guard model chosen</source>
        <translation>Ningún modelo guardián elegido</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+169"/>
        <source>Choose the guard model file</source>
        <translation>Elegir el archivo del modelo guardián</translation>
    </message>
    <message>
        <location line="-159"/>
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>T&amp;heme:</source>
        <translation>&amp;Tema:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Light or dark colours. System follows your operating system.</source>
        <translation>Colores claros u oscuros. Sistema sigue al sistema operativo.</translation>
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
        <translation>Oscuro</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The language of Lanterna&apos;s windows. System default follows your computer.</source>
        <translation>El idioma de las ventanas de Lanterna. Predeterminado del sistema sigue al equipo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>System default</source>
        <translation>Predeterminado del sistema</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A new language applies the next time Lanterna starts.</source>
        <translation>Un nuevo idioma se aplica la próxima vez que se inicie Lanterna.</translation>
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
        <translation>El razonamiento, frase por frase, una vez que los filtros de abajo han eliminado el contenido dañino o personal.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A short summary the model writes after answering, filtered too.</source>
        <translation>Un breve resumen que el modelo escribe después de responder, también filtrado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Only how long the model thought and how many tokens it used.</source>
        <translation>Solo cuánto tiempo pensó el modelo y cuántos tokens usó.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Raw reasoning is never shown.</source>
        <translation>El razonamiento en bruto nunca se muestra.</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>All files (*)</source>
        <translation>Todos los archivos (*)</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <location filename="../../desktop/sidebar.py" line="+47"/>
        <location line="+3"/>
        <source>New chat</source>
        <translation>Nueva conversación</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Start a new conversation (Ctrl+N)</source>
        <translation>Iniciar una nueva conversación (Ctrl+N)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Search chats (Ctrl+K)</source>
        <translation>Buscar conversaciones (Ctrl+K)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search conversations</source>
        <translation>Buscar conversaciones</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Conversations</source>
        <translation>Conversaciones</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Untitled</source>
        <translation>Sin título</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No chat matches</source>
        <translation>Ninguna conversación coincide</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Rename</source>
        <translation>Renombrar</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation>Exportar…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
</context>
<context>
    <name>SourceDialog</name>
    <message>
        <location filename="../../desktop/citations.py" line="+78"/>
        <source>Source</source>
        <translation>Fuente</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Excerpt</source>
        <translation>Fragmento</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Open file</source>
        <translation>Abrir archivo</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open the document at page %1</source>
        <translation>Abrir el documento en la página %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the document</source>
        <translation>Abrir el documento</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The file is no longer there: %1. Attach it again to cite it.</source>
        <translation>El archivo ya no está ahí: %1. Vuelve a adjuntarlo para citarlo.</translation>
    </message>
</context>
<context>
    <name>SourcesList</name>
    <message>
        <location line="-132"/>
        <location line="+4"/>
        <source>Sources</source>
        <translation>Fuentes</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Cited in the answer</source>
        <translation>Citado en la respuesta</translation>
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
        <translation>Pregunta lo que quieras</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>Recommended: gpt-oss-20b</source>
        <translation>Recomendado: gpt-oss-20b</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>OpenAI&apos;s open-weight reasoning model: 21B parameters, 128k context, adjustable reasoning effort. A 12.1 GB download; it runs in 16 GB of memory.</source>
        <translation>El modelo de razonamiento de pesos abiertos de OpenAI: 21.000 millones de parámetros, contexto de 128k y esfuerzo de razonamiento ajustable. Descarga de 12,1 GB; funciona con 16 GB de memoria.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Get gpt-oss-20b…</source>
        <translation>Descargar gpt-oss-20b…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Get gpt-oss-20b</source>
        <translation>Descargar gpt-oss-20b</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model file…</source>
        <translation>Abrir archivo de modelo…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a model file</source>
        <translation>Abrir archivo de modelo</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Welcome to Lanterna</source>
        <translation>Te damos la bienvenida a Lanterna</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No model is ready yet. Download one below, or open a GGUF model file you already have. Everything stays on this computer.</source>
        <translation>Todavía no hay ningún modelo listo. Descarga uno abajo o abre un archivo de modelo GGUF que ya tengas. Todo se queda en este ordenador.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The demo model, Gemma 3 270M, is ready and works offline. It is tiny: it continues text rather than following instructions, so expect short, simple answers. Everything stays on this computer.</source>
        <translation>El modelo de demostración, Gemma 3 270M, está listo y funciona sin conexión. Es muy pequeño: continúa textos en lugar de seguir instrucciones, así que espera respuestas cortas y sencillas. Todo se queda en este equipo.</translation>
    </message>
    <message>
        <source>The demo model, Gemma 3 270M, is ready and works offline. It is tiny: it continues text rather than follows instructions, so expect short, simple answers. Everything stays on this computer.</source>
        <translation type="vanished">El modelo de demostración, Gemma 3 270M, está listo y funciona sin conexión. Es muy pequeño: continúa textos en lugar de seguir instrucciones, así que espera respuestas cortas y sencillas. Todo se queda en este equipo.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your messages and the model&apos;s answers stay on this computer.</source>
        <translation>Tus mensajes y las respuestas del modelo se quedan en este equipo.</translation>
    </message>
</context>
</TS>
