<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop/settings_dialog.py" line="+60"/>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <location line="+86"/>
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
        <location line="+6"/>
        <source>Default: {folder}</source>
        <translation>Predeterminada: {folder}</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+112"/>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <location line="-111"/>
        <location line="+243"/>
        <source>Choose the models folder</source>
        <translation>Elegir la carpeta de modelos</translation>
    </message>
    <message>
        <location line="-237"/>
        <source>CPU &amp;threads:</source>
        <translation>&amp;Hilos de CPU:</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location line="+6"/>
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
        <location line="+139"/>
        <source>Choose the guard model file</source>
        <translation>Elegir el archivo del modelo guardián</translation>
    </message>
    <message>
        <location line="-129"/>
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
        <location line="+66"/>
        <source>GGUF models (*.gguf)</source>
        <translation>Modelos GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>All files (*)</source>
        <translation>Todos los archivos (*)</translation>
    </message>
</context>
</TS>
